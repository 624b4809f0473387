package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.job.FlinkProcessCluster.ClusterProcess;
import dev.narrowbert.kafka.topics.MalformedEvents;
import dev.narrowbert.schema.ErrorType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cancel and resubmit on a real multi-process cluster whose {@code lib/} holds DJL and PyTorch
 * ({@code djl-lib/target/narrowbert-djl-lib.jar}), with {@code ai.djl.} loaded parent-first.
 *
 * <p>PyTorch's native library can be loaded by one class loader per JVM only. Every job gets a new
 * user-code class loader, so when DJL comes from the job jar, a second job on a TaskManager that
 * ran the first fails with {@code UnsatisfiedLinkError: ... already loaded in another classloader}.
 * From {@code lib/}, DJL is loaded once per JVM for every job. Here one TaskManager JVM runs a job,
 * the job is cancelled through the REST API, the same jar is run again as a new job, and an
 * independent {@code read_committed} consumer checks that both jobs gave every review exactly one
 * outcome. {@link MultiProcessClusterITCase} covers the deployment without the lib jar.
 */
class JobResubmissionITCase {
  private static final int REVIEWS_PER_JOB = 300;
  private static final int EVENTS_PER_SECOND = 150;
  private static final int MAX_TEXT_BYTES = 2_000;
  private static final int REVIEW_PARTITIONS = 4;
  private static final String GROUP = "resubmitted-job";
  private static final String MODEL_OPENED = "analyses with model";
  private static final String DJL_FOUND_NATIVES = "Found matching platform from: jar:file:";
  private static final String PYTORCH_ENGINE_STARTED = "Number of intra-op threads is";
  private static final String NATIVE_LIBRARY_CLASH = "UnsatisfiedLinkError";

  private static final Path DJL_LIB = Path.of(System.getProperty("narrowbert.djl.lib.jar"));

  @RegisterExtension
  static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withJobTopics(REVIEW_PARTITIONS);

  @RegisterExtension
  static final FlinkProcessClusterExtension CLUSTER =
      FlinkProcessClusterExtension.builder("flink-cluster-djl-lib-")
          .setting("taskmanager.numberOfTaskSlots", "2")
          // A job that cannot load DJL fails for good after two restarts, and fast.
          .setting("restart-strategy.fixed-delay.attempts", "2")
          // As in docker-compose.yml: DJL from lib/ (loaded parent-first), for every job.
          .libJar(DJL_LIB)
          .taskManagers("taskmanager-1")
          .build();

  @Test
  void djlLibJarHasNoClassOfFlinksOwnLib() throws IOException {
    Set<String> flinkClasses = new HashSet<>();
    for (String entry : CLUSTER.cluster().classpath()) {
      if (!Path.of(entry).equals(DJL_LIB.toAbsolutePath())) {
        flinkClasses.addAll(classesIn(Path.of(entry)));
      }
    }
    Set<String> djlLibClasses = classesIn(DJL_LIB);
    assertThat(djlLibClasses)
        .as("DJL, PyTorch's engine and what they need")
        .contains(
            "ai/djl/engine/Engine.class",
            "ai/djl/pytorch/engine/PtEngine.class",
            "ai/djl/pytorch/jni/PyTorchLibrary.class",
            "com/google/gson/Gson.class",
            "com/sun/jna/Native.class");
    assertThat(flinkClasses).hasSizeGreaterThan(10_000);
    assertThat(djlLibClasses)
        .as("classes that Flink's lib/ has already: two copies on one classpath")
        .doesNotContainAnyElementsOf(flinkClasses);
  }

  @Test
  void runsACancelledJobAgainOnTheSameTaskManagerWhenDjlIsInFlinkLib() throws Exception {
    long started = System.nanoTime();
    FlinkProcessCluster cluster = CLUSTER.cluster();
    FlinkRestClient rest = cluster.rest();
    String jarId = rest.uploadJar(Path.of(System.getProperty("narrowbert.job.jar")));
    List<String> jobArgs =
        List.of(
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            "--model",
            TestModels.tiny().toString(),
            "--device",
            "cpu",
            "--inference-threads",
            "1",
            "--parallelism",
            "2",
            "--checkpoint-interval",
            "1 s",
            "--max-batch-delay",
            "50 ms",
            "--max-text-bytes",
            String.valueOf(MAX_TEXT_BYTES),
            "--group-id",
            GROUP,
            "--transactional-id-prefix",
            GROUP);
    Map<byte[], ErrorType> malformed = MalformedEvents.all(MAX_TEXT_BYTES);
    int eventsPerJob = REVIEWS_PER_JOB + malformed.size();
    ClusterProcess taskManager = cluster.process("taskmanager-1");

    String firstJob = rest.runJar(jarId, jobArgs);
    awaitFullyRunning(rest, firstJob);
    long nativesFoundByFirstJob = taskManager.logLinesContaining(DJL_FOUND_NATIVES);
    Set<String> firstSent = streamBatch("first-", malformed);
    committed("review-analyses", REVIEWS_PER_JOB, Duration.ZERO);
    committed("review-dead-letters", malformed.size(), Duration.ZERO);
    try (Admin admin = KAFKA.broker().admin()) {
      // The second job starts where the first one's last checkpoint left the group's offsets.
      Await.until(
          "the first job's offsets committed up to the end of the topic",
          Duration.ofSeconds(60),
          () -> offsetsCommittedToTheEnd(admin));
    }
    long firstJobRestarts = rest.restarts(firstJob);
    rest.cancel(firstJob);
    Await.until(
        "the first job cancelled", Duration.ofSeconds(60), () -> isCancelled(rest, firstJob));

    String secondJob = rest.runJar(jarId, jobArgs);
    assertThat(secondJob).isNotEqualTo(firstJob);
    awaitFullyRunning(rest, secondJob);
    assertThat(rest.taskManagers())
        .as("both jobs on the TaskManager JVM that was started before the first")
        .containsExactly("taskmanager-1");
    assertThat(taskManager.process().isAlive()).isTrue();
    Set<String> secondSent = streamBatch("second-", malformed);

    var results = committed("review-analyses", 2 * REVIEWS_PER_JOB, Duration.ofSeconds(3));
    var deadLetters = committed("review-dead-letters", 2 * malformed.size(), Duration.ofSeconds(1));
    Set<String> sent = new HashSet<>(firstSent);
    sent.addAll(secondSent);
    long restarts = rest.restarts(secondJob);
    List<String> failures = rest.failures(secondJob);
    DeliveryTally tally = DeliveryTally.count(sent, results, deadLetters, restarts);
    long fromSecondJob =
        results.stream()
            .filter(
                result -> new String(result.key(), StandardCharsets.UTF_8).startsWith("second-"))
            .count();
    System.out.println(
        "JobResubmissionITCase "
            + tally.line()
            + " (first job cancelled after "
            + firstSent.size()
            + " events, second job on the same TaskManager gave "
            + fromSecondJob
            + " results; failures of the second job: "
            + failures
            + "; "
            + Duration.ofNanos(System.nanoTime() - started).toSeconds()
            + " s)");
    rest.cancel(secondJob);

    assertThat(firstSent).hasSize(eventsPerJob);
    assertThat(secondSent).hasSize(eventsPerJob);
    assertThat(tally.lost()).as("reviews without an outcome").isZero();
    assertThat(tally.duplicates()).as("reviews with more than one outcome").isZero();
    assertThat(tally.unexpected()).isZero();
    assertThat(tally.results()).isEqualTo(2 * REVIEWS_PER_JOB);
    assertThat(tally.deadLetters()).isEqualTo(2 * malformed.size());
    assertThat(fromSecondJob).isEqualTo(REVIEWS_PER_JOB);
    assertThat(firstJobRestarts).as("restarts of the first job").isZero();
    assertThat(restarts).as("restarts of the second job").isZero();
    assertThat(failures).as("failures of the second job").isEmpty();

    assertThat(taskManager.logLinesContaining("Classpath:", DJL_LIB.getFileName().toString()))
        .as("the TaskManager JVM has the DJL lib jar on its classpath")
        .isEqualTo(1);
    assertThat(taskManager.logLinesContaining(MODEL_OPENED))
        .as("two subtasks of each job opened the model in the one TaskManager JVM")
        .isEqualTo(4);
    assertThat(taskManager.logLinesContaining(PYTORCH_ENGINE_STARTED))
        .as("PyTorch's engine started (and its native library loaded) once, for both jobs")
        .isEqualTo(1);
    assertThat(taskManager.logLinesContaining(DJL_FOUND_NATIVES))
        .as("the second job looked for no natives: DJL had them already")
        .isEqualTo(nativesFoundByFirstJob)
        .isPositive();
    for (String process : List.of("jobmanager", "taskmanager-1")) {
      ClusterProcess logged = cluster.process(process);
      assertThat(Files.readString(logged.log()) + Files.readString(logged.output()))
          .as("log and output of %s", process)
          .doesNotContain(NATIVE_LIBRARY_CLASH);
    }
  }

  /**
   * Sends {@link #REVIEWS_PER_JOB} reviews and the malformed events with keys starting {@code
   * prefix}; returns their keys once the broker has acknowledged all of them.
   */
  private static Set<String> streamBatch(String prefix, Map<byte[], ErrorType> malformed)
      throws Exception {
    try (ReviewStream stream =
        new ReviewStream(
            KAFKA.bootstrapServers(),
            "reviews",
            prefix,
            REVIEWS_PER_JOB,
            malformed,
            EVENTS_PER_SECOND)) {
      stream.start();
      return stream.awaitAcknowledged(Duration.ofMinutes(1));
    }
  }

  /** Waits for the job and all its subtasks to run; fails at once if the job fails for good. */
  private static void awaitFullyRunning(FlinkRestClient rest, String jobId) throws Exception {
    Await.until(
        "job " + jobId + " running",
        Duration.ofSeconds(180),
        () -> {
          String state = rest.job(jobId).path("state").asText();
          if (state.equals("FAILED")) {
            throw new AssertionError("job " + jobId + " FAILED: " + rest.failures(jobId));
          }
          return rest.isFullyRunning(jobId);
        });
  }

  private static boolean isCancelled(FlinkRestClient rest, String jobId) throws Exception {
    return rest.job(jobId).path("state").asText().equals("CANCELED");
  }

  /** Whether the job's consumer group has committed every partition of the input up to its end. */
  private static boolean offsetsCommittedToTheEnd(Admin admin) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int partition = 0; partition < REVIEW_PARTITIONS; partition++) {
      latest.put(new TopicPartition("reviews", partition), OffsetSpec.latest());
    }
    var ends = admin.listOffsets(latest).all().get();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
    return ends.entrySet().stream()
        .allMatch(
            end -> {
              OffsetAndMetadata offset = committed.get(end.getKey());
              return (offset == null ? 0 : offset.offset()) == end.getValue().offset();
            });
  }

  /** The committed records of a topic: at least {@code expected}, then whatever more comes. */
  private static List<ConsumerRecord<byte[], byte[]>> committed(
      String topic, int expected, Duration settle) {
    return KAFKA.readCommitted(topic, expected, Duration.ofSeconds(150), settle);
  }

  private static Set<String> classesIn(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream()
          .map(entry -> entry.getName())
          .filter(name -> name.endsWith(".class") && !name.contains("module-info"))
          .collect(Collectors.toSet());
    }
  }
}
