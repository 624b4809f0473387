package dev.narrowbert.job;

import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The job's Kafka source and sinks, built from {@link JobSettings}.
 *
 * <p>The source reads committed data only ({@code read_committed}) and starts from the group's
 * committed offsets (earliest for a new group). Both sinks are transactional ({@code
 * EXACTLY_ONCE}): what they write becomes visible when the checkpoint that covers it completes.
 * Their transaction timeout is 5 minutes, inside the broker's default maximum of 15 (the client
 * default of 1 hour would be rejected).
 */
public final class KafkaConnections {
  /** Kafka transaction timeout of both sinks. */
  public static final String TRANSACTION_TIMEOUT_MS = "300000";

  private KafkaConnections() {}

  public static KafkaSource<SourceRecord> source(JobSettings settings) {
    var builder =
        KafkaSource.<SourceRecord>builder()
            .setBootstrapServers(settings.bootstrapServers())
            .setTopics(settings.reviewsTopic())
            .setGroupId(settings.groupId())
            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
            .setDeserializer(new SourceRecordDeserializer())
            .setProperties(settings.kafkaClientProperties())
            .setProperty("isolation.level", "read_committed")
            .setProperty("partition.discovery.interval.ms", "10000");
    if (settings.bounded()) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  public static KafkaSink<ReviewAnalysis> resultsSink(JobSettings settings) {
    return transactionalSink(
        settings, settings.transactionalIdPrefix() + "-results", new AnalysisRecords(settings));
  }

  public static KafkaSink<DeadLetter> deadLetterSink(JobSettings settings) {
    return transactionalSink(
        settings,
        settings.transactionalIdPrefix() + "-dead-letters",
        new DeadLetterRecords(settings));
  }

  private static <T> KafkaSink<T> transactionalSink(
      JobSettings settings,
      String transactionalIdPrefix,
      KafkaRecordSerializationSchema<T> records) {
    Properties producer = settings.kafkaClientProperties();
    producer.setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS);
    return KafkaSink.<T>builder()
        .setBootstrapServers(settings.bootstrapServers())
        .setKafkaProducerConfig(producer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setRecordSerializer(records)
        .build();
  }

  /** Results keyed by review id, values in single-object encoding. */
  static final class AnalysisRecords implements KafkaRecordSerializationSchema<ReviewAnalysis> {
    private final String topic;
    private transient SingleObjectCodec<ReviewAnalysis> codec;

    AnalysisRecords(JobSettings settings) {
      this.topic = settings.resultsTopic();
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sink) {
      codec = SingleObjectCodec.analyses();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        ReviewAnalysis analysis, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(
          topic, analysis.getReviewId().getBytes(StandardCharsets.UTF_8), codec.encode(analysis));
    }
  }

  /** Dead letters keyed by the original record's key. */
  static final class DeadLetterRecords implements KafkaRecordSerializationSchema<DeadLetter> {
    private final String topic;
    private transient SingleObjectCodec<DeadLetter> codec;

    DeadLetterRecords(JobSettings settings) {
      this.topic = settings.deadLetterTopic();
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sink) {
      codec = SingleObjectCodec.deadLetters();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        DeadLetter deadLetter, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, bytes(deadLetter.getKey()), codec.encode(deadLetter));
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
}
