package dev.narrowbert.job;

import dev.narrowbert.kafka.topics.SampleReviews;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.SingleObjectCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An upstream system that keeps writing while the job is being hurt: sends reviews, with malformed
 * events spread among them, at a steady rate from a background thread (idempotent, acks=all), and
 * remembers which keys the broker acknowledged. Those keys are what the job owes a result or a dead
 * letter for.
 */
final class ReviewStream implements AutoCloseable {
  private record Event(String key, byte[] value) {}

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final List<Event> events;
  private final int perSecond;
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicInteger sent = new AtomicInteger();
  private final Thread sender = new Thread(this::sendAll, "review-stream");

  /**
   * {@code reviews} reviews {@code review-0..} (the demo's sample texts) and one event per entry of
   * {@code malformed} (keys {@code bad-0..}), sent at {@code perSecond} events per second.
   */
  ReviewStream(
      String bootstrapServers,
      String topic,
      int reviews,
      Map<byte[], ErrorType> malformed,
      int perSecond)
      throws IOException {
    this(bootstrapServers, topic, "", reviews, malformed, perSecond);
  }

  /** As above, with every key prefixed by {@code keyPrefix}, so that batches can be told apart. */
  ReviewStream(
      String bootstrapServers,
      String topic,
      String keyPrefix,
      int reviews,
      Map<byte[], ErrorType> malformed,
      int perSecond)
      throws IOException {
    List<String> texts = sampleTexts();
    SingleObjectCodec<Review> codec = SingleObjectCodec.reviews();
    List<byte[]> bad = new ArrayList<>(malformed.keySet());
    int spacing = Math.max(1, reviews / (bad.size() + 1));
    this.events = new ArrayList<>();
    for (int r = 0; r < reviews; r++) {
      if (r % spacing == spacing / 2 && r / spacing < bad.size()) {
        events.add(new Event(keyPrefix + "bad-" + r / spacing, bad.get(r / spacing)));
      }
      String id = keyPrefix + "review-" + r;
      events.add(new Event(id, codec.encode(Reviews.review(id, texts.get(r % texts.size())))));
    }
    this.topic = topic;
    this.perSecond = perSecond;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  private static List<String> sampleTexts() throws IOException {
    return SampleReviews.load(null, 24).stream().map(Review::getText).toList();
  }

  void start() {
    sender.start();
  }

  /** How many events have been handed to the producer so far. */
  int sent() {
    return sent.get();
  }

  /** Every event's key, in send order. */
  List<String> keys() {
    return events.stream().map(Event::key).toList();
  }

  /**
   * Waits until every event has been sent and acknowledged by the broker; returns their keys.
   *
   * @throws IllegalStateException if the producer failed to deliver one
   */
  Set<String> awaitAcknowledged(Duration timeout) throws InterruptedException {
    sender.join(timeout.toMillis());
    if (sender.isAlive()) {
      throw new IllegalStateException("only " + sent() + " events sent after " + timeout);
    }
    producer.flush();
    if (failure.get() != null) {
      throw new IllegalStateException("the producer lost an event", failure.get());
    }
    if (acknowledged.size() != events.size()) {
      throw new IllegalStateException(
          acknowledged.size() + " of " + events.size() + " events acknowledged");
    }
    return Set.copyOf(acknowledged);
  }

  private void sendAll() {
    long start = System.nanoTime();
    for (int i = 0; i < events.size(); i++) {
      long due = start + i * 1_000_000_000L / perSecond;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
      Event event = events.get(i);
      producer.send(
          new ProducerRecord<>(topic, event.key().getBytes(StandardCharsets.UTF_8), event.value()),
          (metadata, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            } else {
              acknowledged.add(event.key());
            }
          });
      sent.incrementAndGet();
    }
  }

  @Override
  public void close() {
    sender.interrupt();
    producer.close(Duration.ofSeconds(10));
  }
}
