package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import dev.narrowbert.kafka.topics.MalformedEvents;
import dev.narrowbert.schema.ErrorType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job through an outage of its only Kafka broker: while reviews stream in, the real embedded
 * broker is shut down for 30 seconds and then started again on the same port and data directory.
 * The upstream producer keeps sending all along. The job (MiniCluster, 2 TaskManagers, parallelism
 * 2) gets no help: no resubmission, no restart strategy beyond Flink's default. An independent
 * {@code read_committed} consumer then checks that every event has exactly one outcome.
 */
class BrokerOutageITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.twoTaskManagers();

  /** The job's default topics, as the job below runs without topic settings. */
  @RegisterExtension
  static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withJobTopics(2);

  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final int REVIEWS = 1_500;
  private static final int EVENTS_PER_SECOND = 30;
  private static final int MAX_TEXT_BYTES = 2_000;

  @Test
  void recoversByItselfAndLosesNothingWhenTheBrokerIsDownForThirtySeconds(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    EmbeddedKafkaBroker kafka = KAFKA.broker();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ReviewAnalysisJob.buildOnKafka(
        env,
        JobSettings.fromMap(
            Map.of(
                "bootstrap-servers", kafka.bootstrapServers(),
                "model", TestModels.tiny().toString(),
                "device", "cpu",
                "inference-threads", "1",
                "max-text-bytes", String.valueOf(MAX_TEXT_BYTES),
                "max-batch-delay", "20 ms",
                "checkpoint-interval", "1 s",
                "parallelism", "2")));
    JobClient job = env.executeAsync("broker-outage-it");

    Map<byte[], ErrorType> malformed = MalformedEvents.all(MAX_TEXT_BYTES);
    try (ReviewStream stream =
        new ReviewStream(
            kafka.bootstrapServers(), "reviews", REVIEWS, malformed, EVENTS_PER_SECOND)) {
      stream.start();
      assertThat(committed("review-analyses", 100, Duration.ZERO)).hasSizeGreaterThanOrEqualTo(100);

      kafka.stop();
      int sentAtStop = stream.sent();
      Thread.sleep(OUTAGE.toMillis());
      kafka.start();
      int sentAtRestart = stream.sent();
      assertThat(sentAtRestart)
          .as("events sent by the time the broker is back")
          .isLessThan(REVIEWS);

      Set<String> sent = stream.awaitAcknowledged(Duration.ofMinutes(2));
      var results = committed("review-analyses", REVIEWS, Duration.ofSeconds(3));
      var deadLetters = committed("review-dead-letters", malformed.size(), Duration.ofSeconds(2));
      long restarts = JobHealth.restarts(cluster, job.getJobID());
      JobStatus status = job.getJobStatus().get();
      DeliveryTally tally = DeliveryTally.count(sent, results, deadLetters, restarts);
      System.out.println(
          "BrokerOutageITCase "
              + tally.line()
              + " (broker down "
              + OUTAGE.toSeconds()
              + " s after "
              + sentAtStop
              + " events sent, back after "
              + sentAtRestart
              + "; job "
              + status
              + ")");
      job.cancel().get();

      assertThat(status).as("the job, without any help").isEqualTo(JobStatus.RUNNING);
      assertThat(tally.lost()).as("events without an outcome").isZero();
      assertThat(tally.duplicates()).as("events with more than one outcome").isZero();
      assertThat(tally.unexpected()).isZero();
      assertThat(tally.results()).isEqualTo(REVIEWS);
      assertThat(tally.deadLetters()).isEqualTo(malformed.size());
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> committed(
      String topic, int expected, Duration settle) {
    return KAFKA.readCommitted(topic, expected, Duration.ofSeconds(150), settle);
  }
}
