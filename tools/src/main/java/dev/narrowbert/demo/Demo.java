package dev.narrowbert.demo;

import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.job.JobSettings;
import dev.narrowbert.job.ReviewAnalysisJob;
import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import dev.narrowbert.kafka.topics.MalformedEvents;
import dev.narrowbert.kafka.topics.ReviewProducer;
import dev.narrowbert.kafka.topics.SampleReviews;
import dev.narrowbert.kafka.topics.TopicReader;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.SingleObjectCodec;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one-command demo: an embedded broker, sample reviews (written for this project) plus one
 * malformed event of each kind, the real job on a local Flink environment, and the results read
 * back as a {@code read_committed} consumer sees them.
 */
public final class Demo {
  /**
   * What the demo measured; {@link #toJson} is the command's last output line. Latency is processed
   * time minus event time (set when the review is produced) of the reviews sent once the job was
   * up; a {@code read_committed} consumer sees a result up to one checkpoint interval (1 s here)
   * later. Throughput is those reviews over the time from the first of them being produced to the
   * last being analysed.
   */
  public record Summary(
      long produced,
      long analyzed,
      long deadLettered,
      double reviewsPerSecond,
      long p50LatencyMillis,
      long p99LatencyMillis) {
    public String toJson() {
      return new JsonLine()
          .put("produced", produced)
          .put("analyzed", analyzed)
          .put("dead_lettered", deadLettered)
          .putFixed("reviews_per_second", reviewsPerSecond, 1)
          .put("p50_latency_ms", p50LatencyMillis)
          .put("p99_latency_ms", p99LatencyMillis)
          .toString();
    }
  }

  private final int reviews;
  private final Path model;
  private final int parallelism;

  public Demo(int reviews, Path model, int parallelism) {
    this.reviews = reviews;
    this.model = model;
    this.parallelism = parallelism;
  }

  public Summary run(PrintWriter out, int show) throws Exception {
    Path modelDirectory =
        model != null ? model : DefaultModel.directory().orElseGet(Demo::untrainedModel);
    try (EmbeddedKafkaBroker kafka =
        EmbeddedKafkaBroker.builder()
            .topic("reviews", 4)
            .topic("review-analyses", 4)
            .topic("review-dead-letters", 1)
            .build()
            .start()) {
      JobSettings settings =
          JobSettings.fromMap(
              Map.of(
                  "bootstrap-servers", kafka.bootstrapServers(),
                  "model", modelDirectory.toString(),
                  "parallelism", String.valueOf(parallelism),
                  "checkpoint-interval", "1 s",
                  "max-batch-delay", "50 ms"));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      ReviewAnalysisJob.buildOnKafka(env, settings);
      JobClient job = env.executeAsync(ReviewAnalysisJob.NAME);
      System.err.printf(
          "Kafka at %s; job started; producing %d reviews%n", kafka.bootstrapServers(), reviews);

      Map<byte[], ErrorType> malformed = MalformedEvents.all(settings.maxTextBytes());
      List<Review> sent = produce(kafka, malformed);
      Duration patience = Duration.ofSeconds(120 + reviews / 5);
      List<ReviewAnalysis> results =
          read(kafka, settings.resultsTopic(), reviews, patience, SingleObjectCodec.analyses());
      List<DeadLetter> deadLetters =
          read(
              kafka,
              settings.deadLetterTopic(),
              malformed.size(),
              Duration.ofSeconds(30),
              SingleObjectCodec.deadLetters());
      job.cancel().get();

      new ResultTable(out).print(sent, results, deadLetters, show);
      return summarise(sent.size() + malformed.size(), results, deadLetters);
    }
  }

  /**
   * Sends the first review alone and waits for its result, so that the latency figures describe a
   * running job, not its start-up; then sends the rest with the malformed events spread among them.
   */
  private List<Review> produce(EmbeddedKafkaBroker kafka, Map<byte[], ErrorType> malformed)
      throws Exception {
    List<Review> samples = SampleReviews.load(null, reviews);
    List<Review> sent = new ArrayList<>(reviews);
    List<byte[]> bad = new ArrayList<>(malformed.keySet());
    int spacing = Math.max(1, reviews / (bad.size() + 1));
    try (ReviewProducer producer =
        new ReviewProducer(kafka.bootstrapServers(), "reviews", Map.of())) {
      for (int i = 0; i < reviews; i++) {
        Review review =
            Review.newBuilder(samples.get(i % samples.size()))
                .setReviewId(String.format("demo-%05d", i))
                .setEventTime(Instant.now())
                .build();
        producer.send(review);
        sent.add(review);
        if (i == 0) {
          producer.flush();
          read(kafka, "review-analyses", 1, Duration.ofSeconds(120), SingleObjectCodec.analyses());
          System.err.println("First result arrived: the job is up.");
        } else if (i % spacing == 0 && !bad.isEmpty()) {
          producer.sendRaw(("malformed-" + i).getBytes(StandardCharsets.UTF_8), bad.remove(0));
        }
      }
      bad.forEach(value -> producer.sendRaw(null, value));
      producer.flush();
    }
    return sent;
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(
      EmbeddedKafkaBroker kafka,
      String topic,
      int expected,
      Duration patience,
      SingleObjectCodec<T> codec)
      throws Exception {
    List<T> records = new ArrayList<>();
    for (var record :
        TopicReader.readCommitted(
            kafka.bootstrapServers(),
            topic,
            expected,
            patience,
            Duration.ofMillis(500),
            Map.of())) {
      records.add(codec.decode(record.value()));
    }
    if (records.size() < expected) {
      throw new IllegalStateException(
          "only "
              + records.size()
              + " of "
              + expected
              + " records arrived on "
              + topic
              + " within "
              + patience.toSeconds()
              + " s");
    }
    return records;
  }

  private static Summary summarise(
      long produced, List<ReviewAnalysis> results, List<DeadLetter> deadLetters) {
    List<ReviewAnalysis> warm =
        results.stream().filter(r -> !r.getReviewId().equals("demo-00000")).toList();
    long[] latencies =
        warm.stream()
            .mapToLong(r -> r.getProcessedTime().toEpochMilli() - r.getEventTime().toEpochMilli())
            .sorted()
            .toArray();
    long first = results.stream().mapToLong(r -> r.getEventTime().toEpochMilli()).min().orElse(0);
    long last =
        results.stream().mapToLong(r -> r.getProcessedTime().toEpochMilli()).max().orElse(0);
    double seconds = Math.max(0.001, (last - first) / 1000.0);
    return new Summary(
        produced,
        results.size(),
        deadLetters.size(),
        warm.size() / seconds,
        percentile(latencies, 0.50),
        percentile(latencies, 0.99));
  }

  private static long percentile(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.round(q * (sorted.length - 1))];
  }

  /** Without a trained default model the demo still runs end to end, on random weights. */
  public static Path untrainedModel() {
    try {
      Path directory = Files.createTempDirectory("narrowbert-untrained-");
      WordPieceVocabulary vocabulary = WordPieceVocabulary.bertBaseUncased();
      ModelDirectory.create(
          NarrowBertConfig.preset("mini", vocabulary.size(), vocabulary.sha256()),
          vocabulary,
          1,
          directory);
      System.err.println(
          "WARNING: no trained default model in "
              + DefaultModel.RELATIVE_PATH
              + "; using an UNTRAINED model (random weights): labels and entities are meaningless.");
      return directory;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Map<String, ReviewAnalysis> byId(List<ReviewAnalysis> results) {
    return results.stream()
        .collect(Collectors.toMap(ReviewAnalysis::getReviewId, r -> r, (a, b) -> a));
  }
}
