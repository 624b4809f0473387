package dev.narrowbert.kafka.topics;

import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes reviews to a topic the way a well-behaved upstream system does: key = review id (UTF-8),
 * value = {@link Review} in single-object encoding, idempotent, acks=all. Also writes raw bytes, to
 * feed the job malformed events on purpose.
 */
public final class ReviewProducer implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final SingleObjectCodec<Review> codec = SingleObjectCodec.reviews();

  public ReviewProducer(
      String bootstrapServers, String topic, Map<String, String> kafkaProperties) {
    Map<String, Object> config = new HashMap<>(kafkaProperties);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  public void send(Review review) {
    sendRaw(review.getReviewId().getBytes(StandardCharsets.UTF_8), codec.encode(review));
  }

  public void sendRaw(byte[] key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key, value));
  }

  /** Waits until everything sent so far is acknowledged by the broker. */
  public void flush() {
    producer.flush();
  }

  /** Sends one record and waits for it; throws if the broker rejects it. */
  public void sendAndWait(Review review) throws InterruptedException {
    try {
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  review.getReviewId().getBytes(StandardCharsets.UTF_8),
                  codec.encode(review)))
          .get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("broker rejected the review: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
