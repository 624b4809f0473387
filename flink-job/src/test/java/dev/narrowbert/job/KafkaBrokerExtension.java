package dev.narrowbert.job;

import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import dev.narrowbert.kafka.topics.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real, plaintext {@link EmbeddedKafkaBroker} for the tests of one class: started before the
 * first test, closed (its data deleted) after the last. Register it as {@code @RegisterExtension
 * static final}. Tests that share the broker keep apart by making their own topics ({@link
 * #topics}); a test that needs the job's default topic names asks for them up front ({@link
 * #withJobTopics}).
 *
 * <p>The broker itself stays reachable ({@link #broker()}), so a test can stop and start it. A test
 * whose broker must be made differently (TLS stores made per test, a broker started inside a log
 * capture) builds its own.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
  private final EmbeddedKafkaBroker.Builder builder;
  private EmbeddedKafkaBroker broker;

  /** A broker without topics; each test makes its own with {@link #topics}. */
  public KafkaBrokerExtension() {
    this(EmbeddedKafkaBroker.builder());
  }

  private KafkaBrokerExtension(EmbeddedKafkaBroker.Builder builder) {
    this.builder = builder;
  }

  /**
   * A broker that has the job's default topics from the start: {@link JobOptions#REVIEWS_TOPIC}
   * with {@code reviewPartitions} partitions, {@link JobOptions#RESULTS_TOPIC} with 2 and {@link
   * JobOptions#DEAD_LETTER_TOPIC} with 1; for a job or command run without topic settings.
   */
  public static KafkaBrokerExtension withJobTopics(int reviewPartitions) {
    return new KafkaBrokerExtension(
        EmbeddedKafkaBroker.builder()
            .topic(JobOptions.REVIEWS_TOPIC.defaultValue(), reviewPartitions)
            .topic(JobOptions.RESULTS_TOPIC.defaultValue(), 2)
            .topic(JobOptions.DEAD_LETTER_TOPIC.defaultValue(), 1));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = builder.build().start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

  /** The running broker. */
  public EmbeddedKafkaBroker broker() {
    if (broker == null) {
      throw new IllegalStateException(
          "no broker: register the extension as a static @RegisterExtension field");
    }
    return broker;
  }

  /** {@code host:port} for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return broker().bootstrapServers();
  }

  /** Fresh {@code name-reviews}, {@code name-results} and {@code name-dead-letters} topics. */
  TestTopics topics(String name, int reviewPartitions) {
    return topics(name, reviewPartitions, Map.of());
  }

  /** As {@link #topics(String, int)}, with {@code reviewsConfig} on the reviews topic. */
  TestTopics topics(String name, int reviewPartitions, Map<String, String> reviewsConfig) {
    return TestTopics.create(broker(), name, reviewPartitions, reviewsConfig);
  }

  /**
   * The committed records of {@code topic}, as an independent {@code read_committed} consumer sees
   * them: up to {@code timeout} for {@code expected} records, then {@code settle} more so that
   * duplicates are seen too (see {@link TopicReader#readCommitted}).
   */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(
      String topic, int expected, Duration timeout, Duration settle) {
    return TopicReader.readCommitted(
        bootstrapServers(), topic, expected, timeout, settle, broker().clientProperties());
  }
}
