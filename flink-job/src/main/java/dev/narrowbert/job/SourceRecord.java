package dev.narrowbert.job;

import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ErrorType;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A Kafka record exactly as the source read it, with where it came from, so that a review that
 * fails anywhere in the job can be dead-lettered byte for byte.
 *
 * @param timestamp the record's Kafka timestamp (ms), the start of end-to-end latency
 * @param key the record key, or null
 * @param value the record value, or null for a tombstone
 */
public record SourceRecord(
    String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {

  /** This record as a dead letter: its original bytes, where it came from, and why it failed. */
  public DeadLetter deadLetter(ErrorType type, String reason, String reviewId) {
    return DeadLetter.newBuilder()
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setTopic(topic)
        .setPartition(partition)
        .setOffset(offset)
        .setReviewId(reviewId)
        .setErrorType(type)
        .setReason(reason)
        .setFailedAt(Instant.now())
        .build();
  }
}
