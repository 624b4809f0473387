package dev.narrowbert.soak;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.job.JobSettings;
import dev.narrowbert.job.ReviewAnalysisJob;
import dev.narrowbert.kafka.topics.ReviewProducer;
import dev.narrowbert.kafka.topics.SampleReviews;
import dev.narrowbert.output.JsonFile;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.schema.Review;
import dev.narrowbert.soak.MemoryProbe.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert soak}: does memory stay bounded over a long stream? Streams N reviews (200,000
 * by default) first through the analyzer directly, then through the whole job (local Flink,
 * exactly-once sinks; the embedded broker in a child process, {@link BrokerProcess}), sampling the
 * live heap and the process RSS as it goes, and reports each phase's growth per 100,000 reviews
 * after warm-up (JSON) and the curves (PNG). Native leaks (an array left in a long-lived {@code
 * NDManager}) show in RSS, not in the heap.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "Streams many reviews through the analyzer and the job; heap and RSS must stay flat.")
public final class MemorySoak implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = "--reviews", defaultValue = "200000", description = "Reviews per phase.")
  private long reviews;

  @Option(names = "--model", paramLabel = "DIR", description = "Model (default: the shipped one).")
  private Path model;

  @Option(
      names = "--source",
      paramLabel = "FILE",
      description = "Review JSON lines to cycle through (default: the demo samples).")
  private Path source;

  @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "Result.")
  private Path out;

  @Option(names = "--sample-every", defaultValue = "10", description = "Seconds between samples.")
  private double sampleEvery;

  @Option(names = "--warmup", defaultValue = "0.2", description = "Fraction left out of slopes.")
  private double warmup;

  @Option(
      names = "--max-growth",
      defaultValue = "64",
      description = "Fail when heap or RSS grows by more MB per 100,000 reviews after warm-up.")
  private double maxGrowth;

  @Option(
      names = "--phases",
      defaultValue = "analyzer,job",
      split = ",",
      description = "analyzer, job or both.")
  private List<String> phases;

  @Override
  public Integer call() throws Exception {
    if (reviews < 10 || !(warmup >= 0 && warmup < 1) || sampleEvery <= 0) {
      throw new ParameterException(
          spec.commandLine(), "need --reviews >= 10, --warmup in [0, 1), --sample-every > 0");
    }
    if (phases.isEmpty() || !List.of("analyzer", "job").containsAll(phases)) {
      throw new ParameterException(spec.commandLine(), "--phases takes analyzer and/or job");
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Path modelDirectory =
        model != null
            ? model
            : DefaultModel.directory()
                .orElseThrow(() -> new IllegalStateException("no --model and no shipped model"));
    List<Review> texts = SampleReviews.load(source, 5000);
    ObjectNode root = JsonLine.tree();
    root.put("reviews_per_phase", reviews).put("model", modelDirectory.toString());
    root.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576.0);
    List<MemoryCurve> curves = new ArrayList<>();
    if (phases.contains("analyzer")) {
      curves.add(analyzerPhase(modelDirectory, texts));
    }
    if (phases.contains("job")) {
      curves.add(jobPhase(modelDirectory, texts));
    }
    List<String> growing = new ArrayList<>();
    for (MemoryCurve curve : curves) {
      curve.writeTo(root.putObject(curve.phase()));
      for (var figure :
          Map.of("heap", curve.slope(Sample::heapMb), "RSS", curve.slope(Sample::rssMb))
              .entrySet()) {
        System.out.printf(
            Locale.ROOT,
            "%s: %s %+.1f MB per 100k reviews after warm-up%n",
            curve.phase(),
            figure.getKey(),
            figure.getValue());
        if (figure.getValue() > maxGrowth) {
          growing.add(curve.phase() + " " + figure.getKey());
        }
      }
    }
    JsonFile.write(out, root);
    List<XYChart> charts = curves.stream().map(MemoryCurve::chart).toList();
    String png = out.toString().replaceFirst("\\.json$", "");
    BitmapEncoder.saveBitmap(charts, charts.size(), 1, png, BitmapEncoder.BitmapFormat.PNG);
    if (!growing.isEmpty()) {
      throw new IllegalStateException(
          "memory grows by more than " + maxGrowth + " MB per 100k reviews: " + growing);
    }
    return 0;
  }

  /** The analyzer alone, batches of 32 in arrival order. */
  private MemoryCurve analyzerPhase(Path modelDirectory, List<Review> texts) throws Exception {
    List<Sample> samples = new ArrayList<>();
    MemoryProbe probe = new MemoryProbe();
    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(modelDirectory, "cpu");
        ProgressBar bar = bar("soak analyzer")) {
      samples.add(probe.sample(0));
      long done = 0;
      long lastSample = System.nanoTime();
      while (done < reviews) {
        int size = (int) Math.min(32, reviews - done);
        List<String> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          batch.add(texts.get((int) ((done + i) % texts.size())).getText());
        }
        analyzer.analyze(batch);
        done += size;
        bar.stepTo(done);
        if (System.nanoTime() - lastSample >= sampleEvery * 1e9) {
          samples.add(probe.sample(done));
          lastSample = System.nanoTime();
        }
      }
      samples.add(probe.sample(done));
    }
    return new MemoryCurve("analyzer", samples, (long) (warmup * reviews));
  }

  /**
   * The whole job on an embedded broker; the producer stays at most 5,000 reviews ahead of the
   * committed outputs, so Kafka's backlog does not grow with N.
   */
  private MemoryCurve jobPhase(Path modelDirectory, List<Review> texts) throws Exception {
    List<Sample> samples = new ArrayList<>();
    AtomicLong outputs = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    Path brokerLog = out.toAbsolutePath().resolveSibling("soak-broker.log");
    try (BrokerProcess kafka =
            new BrokerProcess(
                List.of("reviews:2", "review-analyses:2", "review-dead-letters:1"), brokerLog);
        ReviewProducer producer =
            new ReviewProducer(kafka.bootstrapServers(), "reviews", Map.of());
        ProgressBar bar = bar("soak job")) {
      JobSettings settings =
          JobSettings.fromMap(
              Map.of(
                  "bootstrap-servers", kafka.bootstrapServers(),
                  "model", modelDirectory.toString(),
                  "device", "cpu",
                  "parallelism", "1",
                  "checkpoint-interval", "2 s"));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      ReviewAnalysisJob.buildOnKafka(env, settings);
      JobClient job = env.executeAsync(ReviewAnalysisJob.NAME);
      Thread counter =
          new Thread(() -> countCommitted(kafka.bootstrapServers(), outputs, stop), "soak-counter");
      counter.start();
      MemoryProbe probe = new MemoryProbe();
      samples.add(probe.sample(0));
      long produced = 0;
      long lastSample = System.nanoTime();
      long deadline = System.nanoTime() + Duration.ofHours(12).toNanos();
      String run = UUID.randomUUID().toString().substring(0, 8);
      while (outputs.get() < reviews && System.nanoTime() < deadline) {
        if (produced < reviews && produced - outputs.get() < 5000) {
          long chunk = Math.min(500, reviews - produced);
          for (long i = 0; i < chunk; i++, produced++) {
            producer.send(
                Review.newBuilder(texts.get((int) (produced % texts.size())))
                    .setReviewId(run + "-" + produced)
                    .setEventTime(Instant.now())
                    .build());
          }
          producer.flush();
        } else {
          Thread.sleep(100);
        }
        bar.stepTo(outputs.get());
        if (System.nanoTime() - lastSample >= sampleEvery * 1e9) {
          samples.add(probe.sample(outputs.get()));
          lastSample = System.nanoTime();
        }
      }
      samples.add(probe.sample(outputs.get()));
      stop.set(true);
      counter.join();
      job.cancel().get();
      if (outputs.get() < reviews) {
        throw new IllegalStateException(
            "the job produced " + outputs.get() + " of " + reviews + " outputs");
      }
    }
    return new MemoryCurve("job", samples, (long) (warmup * reviews));
  }

  /** Counts committed results and dead letters until {@code stop}. */
  private static void countCommitted(String bootstrap, AtomicLong outputs, AtomicBoolean stop) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "soak-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (var consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("review-analyses", "review-dead-letters"));
      while (!stop.get()) {
        outputs.addAndGet(consumer.poll(Duration.ofMillis(200)).count());
      }
    }
  }

  private ProgressBar bar(String task) {
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(reviews)
        .setUnit(" reviews", 1)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(System.err, 120))
        .build();
  }
}
