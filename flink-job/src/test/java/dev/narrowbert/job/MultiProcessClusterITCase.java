package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.job.FlinkProcessCluster.ClusterProcess;
import dev.narrowbert.kafka.topics.MalformedEvents;
import dev.narrowbert.schema.ErrorType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job jar on a real Flink cluster of separate processes: a JobManager and two TaskManagers,
 * each its own JVM on a classpath of Flink and logging only (see {@link FlinkProcessCluster}). The
 * jar is uploaded and run through the REST API as an operator would, with the shipped model,
 * against the embedded broker in this JVM. Mid-stream, one TaskManager JVM is killed with SIGKILL
 * and a replacement is started; an independent {@code read_committed} consumer then checks that
 * every review has exactly one outcome.
 */
class MultiProcessClusterITCase {
  private static final int REVIEWS = 2_000;
  private static final int EVENTS_PER_SECOND = 100;
  private static final int MAX_TEXT_BYTES = 2_000;
  private static final String MODEL_OPENED = "analyses with model";
  private static final String DJL_FOUND_NATIVES = "Found matching platform from: jar:file:";

  @RegisterExtension
  static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withJobTopics(4);

  @RegisterExtension
  static final FlinkProcessClusterExtension CLUSTER =
      FlinkProcessClusterExtension.builder("flink-cluster-")
          .setting("heartbeat.interval", "2000")
          .setting("heartbeat.timeout", "10000")
          .taskManagers("taskmanager-1", "taskmanager-2")
          .build();

  @Test
  void losesAndDuplicatesNothingWhenATaskManagerProcessIsKilledMidStream() throws Exception {
    FlinkProcessCluster cluster = CLUSTER.cluster();
    assertThat(cluster.classpath())
        .as("the cluster's classpath: the job and DJL may only come from the submitted jar")
        .anyMatch(entry -> entry.contains("flink-runtime-2"))
        .noneMatch(entry -> entry.contains("narrowbert") || entry.contains("/ai/djl/"))
        .noneMatch(entry -> entry.contains("/org/apache/kafka/") || entry.contains("/avro/"));

    FlinkRestClient rest = cluster.rest();
    String jarId = rest.uploadJar(Path.of(System.getProperty("narrowbert.job.jar")));
    // A tiny model: the kill must land while the producer is still sending, which the shipped
    // 22 M-parameter model (about 9 reviews/s per one-thread subtask) made a race.
    Path model = TestModels.tiny();
    String jobId =
        rest.runJar(
            jarId,
            List.of(
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--model", model.toString(),
                "--device", "cpu",
                "--inference-threads", "1",
                "--parallelism", "2",
                "--checkpoint-interval", "1 s",
                "--max-batch-delay", "50 ms",
                "--max-text-bytes", String.valueOf(MAX_TEXT_BYTES),
                "--group-id", "multi-process-job",
                "--transactional-id-prefix", "multi-process-job"));
    Await.until("the job running", Duration.ofSeconds(180), () -> rest.isFullyRunning(jobId));
    assertThat(rest.taskManagers()).containsExactlyInAnyOrder("taskmanager-1", "taskmanager-2");

    Map<byte[], ErrorType> malformed = MalformedEvents.all(MAX_TEXT_BYTES);
    try (ReviewStream stream =
        new ReviewStream(
            KAFKA.bootstrapServers(), "reviews", REVIEWS, malformed, EVENTS_PER_SECOND)) {
      stream.start();
      // Some results are committed, many more are on their way: kill a TaskManager now.
      int committedAtKill = committed("review-analyses", 100, Duration.ZERO).size();
      assertThat(committedAtKill).isGreaterThanOrEqualTo(100);
      int sentAtKill = stream.sent();
      assertThat(sentAtKill).as("events sent when the TaskManager dies").isLessThan(REVIEWS);
      ClusterProcess victim = cluster.process("taskmanager-1");
      long killedAt = System.nanoTime();
      int exitStatus = victim.kill();
      assertThat(exitStatus).as("exit status of a JVM ended by SIGKILL").isEqualTo(128 + 9);
      assertThat(victim.process().toHandle().isAlive()).isFalse();
      ClusterProcess replacement = cluster.startTaskManager("taskmanager-3");

      Await.until(
          "the job restarted and running again on the replacement TaskManager",
          Duration.ofSeconds(180),
          () ->
              rest.restarts(jobId) >= 1
                  && rest.isFullyRunning(jobId)
                  && Set.copyOf(rest.taskManagers())
                      .equals(Set.of("taskmanager-2", "taskmanager-3")));
      long recoverySeconds = Duration.ofNanos(System.nanoTime() - killedAt).toSeconds();
      Set<String> sent = stream.awaitAcknowledged(Duration.ofMinutes(2));

      var results = committed("review-analyses", REVIEWS, Duration.ofSeconds(5));
      var deadLetters = committed("review-dead-letters", malformed.size(), Duration.ofSeconds(2));
      long restarts = rest.restarts(jobId);
      DeliveryTally tally = DeliveryTally.count(sent, results, deadLetters, restarts);
      System.out.println(
          "MultiProcessClusterITCase "
              + tally.line()
              + " (TaskManager killed after "
              + sentAtKill
              + " events sent and "
              + committedAtKill
              + " results committed, running again on the replacement "
              + recoverySeconds
              + " s later; failures: "
              + rest.failures(jobId)
              + ")");
      rest.cancel(jobId);

      assertThat(tally.lost()).as("reviews without an outcome").isZero();
      assertThat(tally.duplicates()).as("reviews with more than one outcome").isZero();
      assertThat(tally.unexpected()).isZero();
      assertThat(tally.results()).isEqualTo(REVIEWS);
      assertThat(tally.deadLetters()).isEqualTo(malformed.size());
      assertThat(restarts).as("restarts after the TaskManager died").isPositive();
      assertThat(replacement.logLinesContaining(DJL_FOUND_NATIVES, "/job_" + jobId + "/blob_"))
          .as("DJL in the new TaskManager JVM found PyTorch's natives in the job jar's blob")
          .isPositive();
      assertThat(replacement.logLinesContaining(MODEL_OPENED))
          .as("the new TaskManager JVM opened the model")
          .isPositive();
      assertThat(cluster.process("taskmanager-2").logLinesContaining(MODEL_OPENED))
          .as("the surviving TaskManager opened the model again after the restart, same JVM")
          .isGreaterThanOrEqualTo(2);
    }
  }

  /** The committed records of a topic: at least {@code expected}, then whatever more comes. */
  private static List<ConsumerRecord<byte[], byte[]>> committed(
      String topic, int expected, Duration settle) {
    return KAFKA.readCommitted(topic, expected, Duration.ofSeconds(150), settle);
  }
}
