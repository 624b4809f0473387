package dev.narrowbert.kafka.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic from the beginning as an independent {@code read_committed} consumer: the
 * view that a downstream system trusting our exactly-once promise has.
 */
public final class TopicReader {
  private TopicReader() {}

  /**
   * Reads until {@code expected} records have arrived or {@code timeout} passes, then keeps reading
   * for {@code settle} more so that records beyond the expected count (duplicates) are seen too.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readCommitted(
      String bootstrapServers,
      String topic,
      int expected,
      Duration timeout,
      Duration settle,
      Map<String, String> kafkaProperties) {
    return readCommitted(
        bootstrapServers, topic, record -> true, expected, timeout, settle, kafkaProperties);
  }

  /** As above, counting and returning only the records that {@code keep} accepts. */
  public static List<ConsumerRecord<byte[], byte[]>> readCommitted(
      String bootstrapServers,
      String topic,
      java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> keep,
      int expected,
      Duration timeout,
      Duration settle,
      Map<String, String> kafkaProperties) {
    Map<String, Object> config = new HashMap<>(kafkaProperties);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "narrowbert-reader-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          if (keep.test(record)) {
            records.add(record);
          }
        }
      }
      long settleUntil = System.nanoTime() + settle.toNanos();
      while (System.nanoTime() < settleUntil) {
        for (var record : consumer.poll(Duration.ofMillis(100))) {
          if (keep.test(record)) {
            records.add(record);
          }
        }
      }
    }
    return records;
  }
}
