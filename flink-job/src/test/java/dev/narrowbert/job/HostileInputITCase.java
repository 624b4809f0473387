package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile input end to end: thousands of malformed values of every kind (random bytes, truncated
 * Avro, foreign fingerprints and schemas, declared lengths up to 2 GB, negative lengths, empty and
 * null values, blank and megabyte-long ids, empty and whitespace-only text, invalid UTF-8, text
 * past the limit up to 10 MB) interleaved with good reviews (some in mixed scripts, emoji or
 * control characters; some without a key), sent through the real broker to the running job. Every
 * bad value must become one dead letter with the right error type and a reason, every good review
 * one result, and the job must not restart once.
 */
class HostileInputITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.twoTaskManagers();
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final int RECORDS = 4_000;
  private static final int MAX_TEXT_BYTES = 100_000; // the job's default
  private static final int TEN_MB = 10 * 1024 * 1024;

  /** The reviews topic accepts records up to 16 MiB; Kafka's default would refuse 10 MB. */
  private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  @Test
  void deadLettersEveryHostileValueWithItsReasonAndAnalysesEveryGoodReviewWithoutARestart(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    TestTopics topics =
        KAFKA.topics("hostile", 2, Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)));
    JobSettings settings =
        topics.settings(Map.of("max-text-bytes", String.valueOf(MAX_TEXT_BYTES)));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ReviewAnalysisJob.buildOnKafka(env, settings);
    JobClient job = env.executeAsync("hostile-input-it");

    ReviewFuzzer fuzzer = new ReviewFuzzer(20260508L, MAX_TEXT_BYTES);
    List<ReviewFuzzer.Input> inputs = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      inputs.add(
          switch (i) {
            case 1_000, 3_000 -> fuzzer.hugeText(TEN_MB);
            case 2_000 -> fuzzer.hugeId(2_000_000);
            default -> fuzzer.next(0.25);
          });
    }
    Map<String, ReviewFuzzer.Input> sentAt = send(topics.reviews(), inputs);

    List<ReviewFuzzer.Input> good =
        inputs.stream().filter(input -> input.kind().deadLetter == null).toList();
    List<ReviewAnalysis> results = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : readCommitted(topics.results(), good.size())) {
      results.add(SingleObjectCodec.analyses().decode(record.value()));
    }
    List<DeadLetter> deadLetters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record :
        readCommitted(topics.deadLetters(), inputs.size() - good.size())) {
      deadLetters.add(SingleObjectCodec.deadLetters().decode(record.value()));
    }
    int restarts = JobHealth.restarts(cluster, job.getJobID());
    List<String> failures = JobHealth.failures(cluster, job.getJobID());
    JobStatus status = job.getJobStatus().get();
    job.cancel().get();

    Map<String, Long> resultsPerId =
        results.stream()
            .collect(Collectors.groupingBy(ReviewAnalysis::getReviewId, Collectors.counting()));
    Map<String, List<DeadLetter>> lettersBySource =
        deadLetters.stream()
            .collect(
                Collectors.groupingBy(
                    letter -> letter.getPartition() + "@" + letter.getOffset(),
                    TreeMap::new,
                    Collectors.toList()));
    long wrongType =
        lettersBySource.entrySet().stream()
            .filter(
                entry ->
                    !sentAt.containsKey(entry.getKey())
                        || entry.getValue().get(0).getErrorType()
                            != sentAt.get(entry.getKey()).kind().deadLetter)
            .count();
    long duplicates =
        (results.size() - resultsPerId.size()) + (deadLetters.size() - lettersBySource.size());
    Map<ErrorType, Long> byType =
        deadLetters.stream()
            .collect(
                Collectors.groupingBy(
                    DeadLetter::getErrorType,
                    () -> new EnumMap<>(ErrorType.class),
                    Collectors.counting()));
    long oversized =
        inputs.stream()
            .filter(input -> input.value() != null && input.value().length > 1_000_000)
            .count();
    System.out.printf(
        "hostile input: sent=%d (good=%d, bad=%d in %d kinds, %d over 1 MB: two 10 MB texts and a"
            + " 2 MB id),"
            + " results=%d, dead letters=%d %s, wrong type=%d, duplicates=%d, restarts=%d%n",
        inputs.size(),
        good.size(),
        inputs.size() - good.size(),
        inputs.stream()
            .filter(input -> input.kind().deadLetter != null)
            .map(ReviewFuzzer.Input::kind)
            .distinct()
            .count(),
        oversized,
        results.size(),
        deadLetters.size(),
        byType,
        wrongType,
        duplicates,
        restarts);

    assertThat(status).as("job status after the run").isEqualTo(JobStatus.RUNNING);
    assertThat(restarts).as("restarts").isZero();
    assertThat(failures).as("failures the job saw").isEmpty();
    assertThat(resultsPerId)
        .as("one result per good review")
        .containsOnlyKeys(good.stream().map(ReviewFuzzer.Input::reviewId).toList())
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(1L));
    assertThat(lettersBySource.keySet())
        .as("one dead letter per bad value, found by its partition and offset")
        .containsExactlyInAnyOrderElementsOf(
            sentAt.entrySet().stream()
                .filter(entry -> entry.getValue().kind().deadLetter != null)
                .map(Map.Entry::getKey)
                .toList());
    lettersBySource.forEach(
        (source, letters) -> {
          ReviewFuzzer.Input input = sentAt.get(source);
          DeadLetter letter = letters.get(0);
          assertThat(letters).as(source).hasSize(1);
          assertThat(letter.getErrorType())
              .as(input.kind() + " at " + source)
              .isEqualTo(input.kind().deadLetter);
          assertThat(letter.getReason()).as(input.kind() + " reason").isNotBlank();
          assertThat(letter.getTopic()).isEqualTo(topics.reviews());
          assertThat(letter.getReviewId())
              .as(input.kind() + " review id")
              .isEqualTo(input.reviewId());
          assertThat(bytes(letter.getKey())).isEqualTo(firstBytes(input.key()));
          assertThat(bytes(letter.getValue())).isEqualTo(firstBytes(input.value()));
          if (input.value() != null && input.value().length > SourceRecord.MAX_COPIED_BYTES) {
            assertThat(letter.getReason())
                .endsWith(
                    "value cut to its first "
                        + SourceRecord.MAX_COPIED_BYTES
                        + " of "
                        + input.value().length
                        + " bytes");
          }
        });
    assertThat(oversized).as("values above Kafka's default maximum of 1 MB").isEqualTo(3);
  }

  /** Sends every input and returns them by {@code partition@offset}, as the broker stored them. */
  private static Map<String, ReviewFuzzer.Input> send(String topic, List<ReviewFuzzer.Input> inputs)
      throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * MAX_MESSAGE_BYTES);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (var producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ReviewFuzzer.Input input : inputs) {
        sent.add(producer.send(new ProducerRecord<>(topic, input.key(), input.value())));
      }
      producer.flush();
    }
    Map<String, ReviewFuzzer.Input> bySource = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      RecordMetadata stored = sent.get(i).get();
      bySource.put(stored.partition() + "@" + stored.offset(), inputs.get(i));
    }
    return bySource;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int expected) {
    return KAFKA.readCommitted(topic, expected, Duration.ofMinutes(3), Duration.ofSeconds(2));
  }

  private static byte[] firstBytes(byte[] bytes) {
    return bytes == null
        ? null
        : Arrays.copyOf(bytes, Math.min(bytes.length, SourceRecord.MAX_COPIED_BYTES));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
