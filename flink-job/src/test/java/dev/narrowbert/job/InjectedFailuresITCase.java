package dev.narrowbert.job;

import static dev.narrowbert.job.FailurePlan.Point.BATCH_EMITTED;
import static dev.narrowbert.job.FailurePlan.Point.DEAD_LETTER_WRITTEN;
import static dev.narrowbert.job.FailurePlan.Point.RESULTS_PRECOMMITTED;
import static dev.narrowbert.job.FailurePlan.Point.RESULT_EMITTED;
import static dev.narrowbert.job.FailurePlan.Point.RESULT_WRITTEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.kafka.topics.ReviewProducer;
import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.SingleObjectCodec;
import dev.narrowbert.schema.WireFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly once through failures anywhere in the pipeline. While the job (MiniCluster with 2
 * TaskManagers, parallelism 2, the real broker, the real tiny model, exactly-once sinks) works
 * through 10,000 reviews, nine exceptions are thrown at seeded random points of the job's own
 * operators: three as a batch leaves the batcher, three part way through a batch in the analyzer,
 * three in the sinks (a results write, a results pre-commit, a dead-letter write). The operators
 * are the job's, unchanged: the test wraps their outputs and the sinks (see {@link FailurePlan}).
 * Every failure must cost one restart, and an independent {@code read_committed} consumer must then
 * find exactly one output, a result or a dead letter, per review.
 */
class InjectedFailuresITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.twoTaskManagers();
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final int REVIEWS = 10_000;
  private static final int BLANK_EVERY = 25; // these become EMPTY_TEXT dead letters

  @Test
  void writesExactlyOneOutputPerReviewThroughFailuresInBatchingAnalysisAndSinks(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    TestTopics topics = KAFKA.topics("failures", 4);
    JobSettings settings = topics.settings(Map.of());
    FailurePlan plan =
        FailurePlan.register(
            "exactly-once",
            FailurePlan.seeded(
                20260507L,
                Map.of(
                    BATCH_EMITTED, 3,
                    RESULT_EMITTED, 3,
                    RESULT_WRITTEN, 1,
                    RESULTS_PRECOMMITTED, 1,
                    DEAD_LETTER_WRITTEN, 1),
                Map.of(
                    BATCH_EMITTED, 30,
                    RESULT_EMITTED, 300,
                    RESULT_WRITTEN, 300,
                    RESULTS_PRECOMMITTED, 2,
                    DEAD_LETTER_WRITTEN, 8)));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ReviewAnalysisJob.configure(env, settings);
    env.configure(restartOnEveryFailure());
    ReviewAnalysisJob.build(
        env,
        settings,
        KafkaConnections.source(settings),
        new FailingKafkaSink<>(
            KafkaConnections.resultsSink(settings), plan, RESULT_WRITTEN, RESULTS_PRECOMMITTED),
        new FailingKafkaSink<>(
            KafkaConnections.deadLetterSink(settings), plan, DEAD_LETTER_WRITTEN, null));
    StreamGraph graph = env.getStreamGraph();
    FailingOutputOperatorFactory.wrap(graph, "batch", plan, BATCH_EMITTED);
    FailingOutputOperatorFactory.wrap(graph, "analyze", plan, RESULT_EMITTED);
    graph.setJobName("injected-failures-it");
    long started = System.nanoTime();
    JobClient job = env.executeAsync(graph);

    Set<String> blankIds = new HashSet<>();
    try (var producer = new ReviewProducer(KAFKA.bootstrapServers(), topics.reviews(), Map.of())) {
      for (int r = 0; r < REVIEWS; r++) {
        String id = "review-" + r;
        boolean blank = r % BLANK_EVERY == 7;
        if (blank) {
          blankIds.add(id);
        }
        producer.send(Reviews.review(id, blank ? " \n\t " : Reviews.words(5 + (r * 37) % 40)));
      }
      producer.flush();
    }

    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (!plan.allFired() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(plan.fired()).as("failures fired, of plan %s", plan.failures()).hasSize(9);
    List<ReviewAnalysis> results =
        read(topics.results(), REVIEWS - blankIds.size(), SingleObjectCodec.analyses()::decode);
    List<DeadLetter> deadLetters =
        read(topics.deadLetters(), blankIds.size(), SingleObjectCodec.deadLetters()::decode);
    int restarts = JobHealth.restarts(cluster, job.getJobID());
    List<String> failures = JobHealth.failures(cluster, job.getJobID());
    job.cancel().get();
    long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();

    List<String> outputIds = new ArrayList<>();
    results.forEach(result -> outputIds.add(result.getReviewId()));
    deadLetters.forEach(letter -> outputIds.add(letter.getReviewId()));
    Map<String, Long> outputsPerId =
        outputIds.stream()
            .collect(
                Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    long duplicates = outputIds.size() - outputsPerId.size();
    long lost = REVIEWS - outputsPerId.size();
    System.out.printf(
        "exactly-once: sent=%d, results=%d, dead letters=%d, duplicates=%d, lost=%d, restarts=%d"
            + " (injected %s), %d s%n",
        REVIEWS,
        results.size(),
        deadLetters.size(),
        duplicates,
        lost,
        restarts,
        plan.fired().stream()
            .map(fired -> fired.failure().point() + "@" + fired.failure().after())
            .toList(),
        seconds);

    assertThat(restarts).as("one restart per injected failure").isEqualTo(9);
    assertThat(failures)
        .as("every failure the job saw was an injected one")
        .hasSize(9)
        .allSatisfy(trace -> assertThat(trace).contains("InjectedFailure"));
    assertThat(duplicates).as("reviews with more than one output").isZero();
    assertThat(lost).as("reviews without an output").isZero();
    assertThat(outputsPerId.keySet())
        .hasSize(REVIEWS)
        .allSatisfy(id -> assertThat(id).startsWith("review-"));
    assertThat(deadLetters)
        .allSatisfy(
            letter -> {
              assertThat(letter.getErrorType()).isEqualTo(ErrorType.EMPTY_TEXT);
              assertThat(blankIds).contains(letter.getReviewId());
            });
  }

  private static Configuration restartOnEveryFailure() {
    Configuration config = new Configuration();
    config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    return config;
  }

  private interface Decoder<T> {
    T decode(byte[] value) throws WireFormatException;
  }

  private static <T> List<T> read(String topic, int expected, Decoder<T> decoder)
      throws WireFormatException {
    List<T> values = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record :
        KAFKA.readCommitted(topic, expected, Duration.ofMinutes(3), Duration.ofSeconds(3))) {
      values.add(decoder.decode(record.value()));
    }
    return values;
  }
}
