package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.kafka.topics.MalformedEvents;
import dev.narrowbert.kafka.topics.ReviewProducer;
import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on a Flink MiniCluster (2 TaskManagers, parallelism 2) against the real embedded
 * broker and a real (tiny, randomly initialised) model, checked by an independent {@code
 * read_committed} consumer.
 */
class ReviewAnalysisJobITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.twoTaskManagers();
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final int MAX_TEXT_BYTES = 2_000;

  @Test
  void analysesEveryReviewExactlyOnceAndDeadLettersEveryMalformedEvent() throws Exception {
    TestTopics topics = KAFKA.topics("bounded", 3);
    int reviews = 300;
    Map<byte[], ErrorType> malformed = MalformedEvents.all(MAX_TEXT_BYTES);
    try (var producer = new ReviewProducer(KAFKA.bootstrapServers(), topics.reviews(), Map.of())) {
      int i = 0;
      for (byte[] bad : malformed.keySet()) {
        producer.sendRaw(("bad-" + i++).getBytes(StandardCharsets.UTF_8), bad);
      }
      for (int r = 0; r < reviews; r++) {
        producer.send(Reviews.review("review-" + r, Reviews.words(5 + (r * 37) % 150)));
      }
      producer.flush();
    }

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    JobSettings settings =
        topics.settings(
            Map.of("max-text-bytes", String.valueOf(MAX_TEXT_BYTES), "bounded", "true"));
    ReviewAnalysisJob.buildOnKafka(env, settings);
    env.execute("bounded-it");

    List<ReviewAnalysis> results = results(topics, reviews);
    assertThat(results).hasSize(reviews);
    assertThat(results.stream().map(ReviewAnalysis::getReviewId).distinct()).hasSize(reviews);
    ReviewAnalysis first = results.get(0);
    assertThat(first.getEmbedding()).hasSize(64); // the tiny model's hidden size
    assertThat(first.getModelVersion()).isNotBlank();
    assertThat(first.getTokens()).isGreaterThan(2);

    List<DeadLetter> deadLetters = deadLetters(topics, malformed.size());
    assertThat(deadLetters)
        .extracting(DeadLetter::getErrorType)
        .containsExactlyInAnyOrderElementsOf(malformed.values());
    assertThat(deadLetters).allSatisfy(d -> assertThat(d.getReason()).isNotBlank());
  }

  @Test
  void losesAndDuplicatesNothingWhenATaskManagerDiesMidStream(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    TestTopics topics = KAFKA.topics("failover", 2);
    int reviews = 600;
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    JobSettings settings =
        topics.settings(Map.of("max-text-bytes", String.valueOf(MAX_TEXT_BYTES)));
    Configuration restartStrategy = new Configuration();
    restartStrategy.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    restartStrategy.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
    restartStrategy.set(
        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    env.configure(restartStrategy);
    ReviewAnalysisJob.buildOnKafka(env, settings);
    JobClient job = env.executeAsync("failover-it");
    try (var producer = new ReviewProducer(KAFKA.bootstrapServers(), topics.reviews(), Map.of())) {
      for (int r = 0; r < reviews; r++) {
        producer.send(Reviews.review("review-" + r, Reviews.words(5 + (r * 13) % 60)));
        if (r == reviews / 3) {
          producer.flush();
          // Some results are committed, more are in flight: kill a TaskManager now.
          assertThat(results(topics, 1)).isNotEmpty();
          cluster.terminateTaskManager(0).get();
          cluster.startTaskManager();
        }
      }
      producer.flush();
    }

    List<ReviewAnalysis> results = results(topics, reviews);
    int restarts = JobHealth.restarts(cluster, job.getJobID());
    job.cancel().get();

    assertThat(restarts).as("tasks were restarted after the TaskManager died").isPositive();
    Map<String, Long> perId =
        results.stream()
            .collect(Collectors.groupingBy(ReviewAnalysis::getReviewId, Collectors.counting()));
    assertThat(perId).hasSize(reviews);
    assertThat(perId.values()).as("no review analysed twice").containsOnly(1L);
  }

  private static List<ReviewAnalysis> results(TestTopics topics, int expected) {
    return decode(
        KAFKA.readCommitted(
            topics.results(), expected, Duration.ofSeconds(120), Duration.ofSeconds(2)),
        SingleObjectCodec.analyses()::decode);
  }

  private static List<DeadLetter> deadLetters(TestTopics topics, int expected) {
    return decode(
        KAFKA.readCommitted(
            topics.deadLetters(), expected, Duration.ofSeconds(60), Duration.ofSeconds(1)),
        SingleObjectCodec.deadLetters()::decode);
  }

  private interface Decoder<T> {
    T decode(byte[] value) throws Exception;
  }

  private static <T> List<T> decode(
      List<ConsumerRecord<byte[], byte[]>> records, Decoder<T> decoder) {
    Function<ConsumerRecord<byte[], byte[]>, T> decodeOne =
        record -> {
          try {
            return decoder.decode(record.value());
          } catch (Exception e) {
            throw new AssertionError("undecodable record at offset " + record.offset(), e);
          }
        };
    return records.stream().map(decodeOne).toList();
  }
}
