package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.job.FlinkProcessCluster.ClusterProcess;
import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import dev.narrowbert.kafka.topics.MalformedEvents;
import dev.narrowbert.kafka.topics.TopicReader;
import dev.narrowbert.schema.ErrorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

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

  private static EmbeddedKafkaBroker kafka;
  private static FlinkProcessCluster cluster;
  private static Path clusterHome;

  @RegisterExtension
  static final TestWatcher PRINT_LOGS_ON_FAILURE =
      FlinkProcessCluster.printLogsOnFailure(() -> cluster, () -> clusterHome);

  @BeforeAll
  static void startKafkaAndCluster() throws Exception {
    kafka =
        EmbeddedKafkaBroker.builder()
            .topic("reviews", 4)
            .topic("review-analyses", 2)
            .topic("review-dead-letters", 1)
            .build()
            .start();
    clusterHome = Files.createTempDirectory("flink-cluster-");
    cluster =
        FlinkProcessCluster.startJobManager(
            clusterHome,
            Map.ofEntries(
                Map.entry("jobmanager.memory.process.size", "1g"),
                Map.entry("taskmanager.memory.process.size", "1536m"),
                Map.entry("taskmanager.memory.managed.size", "0"),
                Map.entry("taskmanager.numberOfTaskSlots", "1"),
                Map.entry("parallelism.default", "2"),
                Map.entry("execution.checkpointing.interval", "1 s"),
                Map.entry("restart-strategy.type", "fixed-delay"),
                Map.entry("restart-strategy.fixed-delay.attempts", "10"),
                Map.entry("restart-strategy.fixed-delay.delay", "1 s"),
                Map.entry("heartbeat.interval", "2000"),
                Map.entry("heartbeat.timeout", "10000"),
                Map.entry("metrics.fetcher.update-interval", "1000"),
                // PyTorch's native library loads once per JVM (as in docker-compose.yml).
                Map.entry("classloader.parent-first-patterns.additional", "ai.djl."),
                // The job jar carries PyTorch's natives: 155 MB, above the 100 MiB default.
                Map.entry("rest.server.max-content-length", String.valueOf(300 << 20)),
                Map.entry(
                    "env.java.opts.taskmanager",
                    "-Dai.djl.pytorch.num_threads=1 -Dai.djl.offline=true")));
    // They register by themselves; the test uploads the job jar meanwhile.
    cluster.startTaskManager("taskmanager-1");
    cluster.startTaskManager("taskmanager-2");
  }

  @AfterAll
  static void stopClusterAndKafka() throws IOException {
    if (cluster != null) {
      cluster.close();
      FlinkProcessCluster.deleteRecursively(
          clusterHome.resolve("tmp")); // blobs and jar copies; logs stay
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void losesAndDuplicatesNothingWhenATaskManagerProcessIsKilledMidStream() throws Exception {
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
                "--bootstrap-servers", kafka.bootstrapServers(),
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
            kafka.bootstrapServers(), "reviews", REVIEWS, malformed, EVENTS_PER_SECOND)) {
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
    return TopicReader.readCommitted(
        kafka.bootstrapServers(), topic, expected, Duration.ofSeconds(150), settle, Map.of());
  }
}
