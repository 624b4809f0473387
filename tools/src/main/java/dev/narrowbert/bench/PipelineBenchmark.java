package dev.narrowbert.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.inference.PaddedBatches;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.job.JobSettings;
import dev.narrowbert.job.ReviewAnalysisJob;
import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import dev.narrowbert.kafka.topics.ReviewProducer;
import dev.narrowbert.kafka.topics.SampleReviews;
import dev.narrowbert.kafka.topics.TopicReader;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.SingleObjectCodec;
import dev.narrowbert.tokenizer.Encoding;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The whole job against the same model called directly, and against a per-record predictor, on the
 * same reviews in one run. Each round measures (1) the bare analyzer on length-sorted batches
 * within the job's own limits ({@code max-batch-size} reviews, {@code max-batch-tokens} padded
 * tokens; {@link PaddedBatches}), (2) the pipeline: one running job (embedded broker, local Flink,
 * exactly-once sinks) fed the round's reviews, from the first produced to the last analysed, and
 * (3) one {@code analyze} call per review, as DJL's Flink demo does. Reports medians over rounds.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = "Pipeline vs bare model vs per-record predictor throughput (reviews/s).")
public final class PipelineBenchmark implements Callable<Integer> {

  @Mixin BenchOptions options;

  @Mixin StreamingJobOptions jobOptions;

  @Override
  public Integer call() throws Exception {
    int count = options.quick ? 200 : 1000;
    int rounds = options.quick ? 2 : 5;
    Path modelDirectory = options.modelDirectory();
    List<Review> reviews = SampleReviews.load(options.reviews, count);
    List<Double> bare = new ArrayList<>();
    List<Double> pipeline = new ArrayList<>();
    List<Double> perRecord = new ArrayList<>();
    List<Long> latencies = new ArrayList<>();

    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(modelDirectory, "cpu");
        EmbeddedKafkaBroker kafka =
            EmbeddedKafkaBroker.builder()
                .topic("reviews", 1)
                .topic("review-analyses", 1)
                .topic("review-dead-letters", 1)
                .build()
                .start()) {
      JobSettings settings = jobOptions.jobSettings(kafka.bootstrapServers(), modelDirectory);
      JobClient job = startJob(settings);
      // A whole unmeasured round first: the job's path (Kafka clients, Avro, Flink's network
      // stack, the batcher) needs as much JIT warm-up as the model.
      runPipeline(kafka, reviews, "warmup", latencies);
      bareRate(analyzer, reviews, settings); // and the direct path just as long
      latencies.clear();
      for (int round = 0; round < rounds; round++) {
        bare.add(bareRate(analyzer, reviews, settings));
        pipeline.add(runPipeline(kafka, reviews, "r" + round, latencies));
        perRecord.add(perRecordRate(analyzer, reviews.subList(0, count / 4)));
        System.err.printf(
            Locale.ROOT,
            "round %d: bare %.1f, pipeline %.1f, per-record %.1f reviews/s%n",
            round + 1,
            bare.get(round),
            pipeline.get(round),
            perRecord.get(round));
      }
      job.cancel().get();
    }
    write(
        modelDirectory,
        count,
        rounds,
        Samples.of(bare),
        Samples.of(pipeline),
        Samples.of(perRecord),
        latencies);
    return 0;
  }

  static JobClient startJob(JobSettings settings) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ReviewAnalysisJob.buildOnKafka(env, settings);
    return env.executeAsync(ReviewAnalysisJob.NAME);
  }

  /**
   * Produces the reviews under fresh ids and returns reviews/s from first produced to last
   * analysed.
   */
  static double runPipeline(
      EmbeddedKafkaBroker kafka, List<Review> reviews, String tag, List<Long> latencies)
      throws Exception {
    try (ReviewProducer producer =
        new ReviewProducer(kafka.bootstrapServers(), "reviews", Map.of())) {
      for (int i = 0; i < reviews.size(); i++) {
        producer.send(
            Review.newBuilder(reviews.get(i))
                .setReviewId(tag + "-" + i)
                .setEventTime(Instant.now())
                .build());
      }
      producer.flush();
    }
    long first = Long.MAX_VALUE;
    long last = 0;
    int mine = 0;
    String prefix = tag + "-";
    var records =
        TopicReader.readCommitted(
            kafka.bootstrapServers(),
            "review-analyses",
            r -> new String(r.key(), java.nio.charset.StandardCharsets.UTF_8).startsWith(prefix),
            reviews.size(),
            Duration.ofSeconds(600),
            Duration.ZERO,
            Map.of());
    SingleObjectCodec<ReviewAnalysis> codec = SingleObjectCodec.analyses();
    for (var record : records) {
      ReviewAnalysis analysis = codec.decode(record.value());
      first = Math.min(first, analysis.getEventTime().toEpochMilli());
      last = Math.max(last, analysis.getProcessedTime().toEpochMilli());
      latencies.add(
          analysis.getProcessedTime().toEpochMilli() - analysis.getEventTime().toEpochMilli());
      mine++;
    }
    if (mine < reviews.size()) {
      throw new IllegalStateException(
          "pipeline returned " + mine + " of " + reviews.size() + " results");
    }
    return reviews.size() / Math.max(0.001, (last - first) / 1000.0);
  }

  private static double bareRate(ReviewAnalyzer analyzer, List<Review> reviews, JobSettings job) {
    long start = System.nanoTime();
    List<Encoding> encodings = new ArrayList<>(reviews.size());
    for (Review review : reviews) {
      encodings.add(analyzer.encode(review.getText()));
    }
    encodings.sort(Comparator.comparingInt(Encoding::tokenCount));
    for (List<Encoding> batch :
        PaddedBatches.of(
            encodings, Encoding::tokenCount, job.maxBatchSize(), job.maxBatchTokens())) {
      analyzer.analyzeEncoded(batch);
    }
    return reviews.size() / ((System.nanoTime() - start) / 1e9);
  }

  private static double perRecordRate(ReviewAnalyzer analyzer, List<Review> reviews) {
    long start = System.nanoTime();
    for (Review review : reviews) {
      analyzer.analyze(List.of(review.getText()));
    }
    return reviews.size() / ((System.nanoTime() - start) / 1e9);
  }

  private void write(
      Path modelDirectory,
      int count,
      int rounds,
      Samples bareRates,
      Samples pipelineRates,
      Samples perRecordRates,
      List<Long> latencies)
      throws Exception {
    double bare = bareRates.median();
    double pipeline = pipelineRates.median();
    double perRecord = perRecordRates.median();
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    ObjectNode root = JsonLine.tree();
    ObjectNode result = root.putObject("pipeline");
    result.put("reviews_per_second", pipeline);
    result.put("bare_model_reviews_per_second", bare);
    result.put("per_record_reviews_per_second", perRecord);
    result.put("overhead_ratio", pipeline / bare);
    result.put("speedup_vs_per_record", pipeline / perRecord);
    result.put("p50_latency_ms", sorted[(int) Math.round(0.50 * (sorted.length - 1))]);
    result.put("p99_latency_ms", sorted[(int) Math.round(0.99 * (sorted.length - 1))]);
    ObjectNode spread = result.putObject("reviews_per_second_spread");
    pipelineRates.writeTo(spread.putObject("pipeline"));
    bareRates.writeTo(spread.putObject("bare_model"));
    perRecordRates.writeTo(spread.putObject("per_record"));
    root.put("checkpoint_interval", jobOptions.checkpointInterval);
    root.put("reviews", count)
        .put("rounds", rounds)
        .put("model", modelDirectory.toString())
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("quick", options.quick);
    new BenchReport("Pipeline vs bare model vs per-record (" + count + " reviews)", "reviews/s")
        .rate("bare model (batched)", bare)
        .rate("pipeline (Kafka + Flink, exactly once)", pipeline)
        .rate("per-record predictor", perRecord)
        .write(
            root,
            options.out,
            List.of(
                String.format(Locale.ROOT, "pipeline / bare model: %.2f", pipeline / bare),
                String.format(Locale.ROOT, "pipeline / per-record: %.2fx", pipeline / perRecord),
                "latency p50/p99: "
                    + result.get("p50_latency_ms")
                    + " / "
                    + result.get("p99_latency_ms")
                    + " ms (processed - produced)"));
    System.out.println(JsonLine.of(root));
  }
}
