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

  /**
   * A dead letter keeps at most this many bytes of the original key and of the original value. A
   * topic may accept records far larger than the dead-letter topic does (Kafka's default maximum is
   * 1 MB): copied whole, a 10 MB review would make a dead letter the sink cannot write, the job
   * would fail, restart, read the same record and fail again. Two such copies, the review id and
   * the reason stay well under 1 MB. The record itself stays where topic/partition/offset say.
   */
  public static final int MAX_COPIED_BYTES = 128 * 1024;

  /**
   * This record as a dead letter: its original bytes (the first {@value #MAX_COPIED_BYTES} of a
   * longer key or value; the reason then says so), where it came from, and why it failed.
   */
  public DeadLetter deadLetter(ErrorType type, String reason, String reviewId) {
    String cut = "";
    if (key != null && key.length > MAX_COPIED_BYTES) {
      cut += "; key cut to its first " + MAX_COPIED_BYTES + " of " + key.length + " bytes";
    }
    if (value != null && value.length > MAX_COPIED_BYTES) {
      cut += "; value cut to its first " + MAX_COPIED_BYTES + " of " + value.length + " bytes";
    }
    return DeadLetter.newBuilder()
        .setKey(firstBytes(key))
        .setValue(firstBytes(value))
        .setTopic(topic)
        .setPartition(partition)
        .setOffset(offset)
        .setReviewId(reviewId)
        .setErrorType(type)
        .setReason(reason + cut)
        .setFailedAt(Instant.now())
        .build();
  }

  private static ByteBuffer firstBytes(byte[] bytes) {
    return bytes == null
        ? null
        : ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, MAX_COPIED_BYTES));
  }
}
