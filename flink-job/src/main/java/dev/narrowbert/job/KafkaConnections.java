package dev.narrowbert.job;

import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;
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
 *
 * <p>Broker outages: the job rides out a short one with the Kafka clients' defaults, without a
 * restart ({@code BrokerOutageITCase}: 30 s, nothing lost or duplicated). Meanwhile the source
 * polls nothing, the sinks' producers keep their records and retry them ({@code
 * delivery.timeout.ms}, 2 min), a checkpoint waits in the sinks' flush until the broker is back,
 * and commits of completed checkpoints are retried. An outage longer than the clients' blocking
 * limits ({@code max.block.ms} and the admin/consumer {@code default.api.timeout.ms}, 1 min each)
 * makes a call fail and Flink's restart strategy restart the job from its last checkpoint; that is
 * still exactly once as long as the broker is back before the transaction timeout: a transaction of
 * a completed checkpoint that the broker aborts for age is lost. That timeout is therefore the
 * outage the job can take without losing results; raise it (up to the broker's {@code
 * transaction.max.timeout.ms}) only together with the broker limit, as an open transaction also
 * holds back what {@code read_committed} consumers see.
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
        settings,
        settings.transactionalIdPrefix() + "-results",
        new SingleObjectRecords<>(
            settings.resultsTopic(),
            analysis -> analysis.getReviewId().getBytes(StandardCharsets.UTF_8),
            SingleObjectCodec::analyses));
  }

  public static KafkaSink<DeadLetter> deadLetterSink(JobSettings settings) {
    return transactionalSink(
        settings,
        settings.transactionalIdPrefix() + "-dead-letters",
        new SingleObjectRecords<>(
            settings.deadLetterTopic(),
            deadLetter -> bytes(deadLetter.getKey()),
            SingleObjectCodec::deadLetters));
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

  /** Records of one topic: a key taken from the value, the value in single-object encoding. */
  static final class SingleObjectRecords<T extends SpecificRecord>
      implements KafkaRecordSerializationSchema<T> {
    private final String topic;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableSupplier<SingleObjectCodec<T>> codecs;
    private transient SingleObjectCodec<T> codec;

    SingleObjectRecords(
        String topic,
        SerializableFunction<T, byte[]> key,
        SerializableSupplier<SingleObjectCodec<T>> codecs) {
      this.topic = topic;
      this.key = key;
      this.codecs = codecs;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sink) {
      codec = codecs.get();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        T value, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, key.apply(value), codec.encode(value));
    }
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
