package dev.narrowbert.kafka.topics;

import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One malformed event of each kind the job must dead-letter, with the error type it must get. The
 * demo sends them among good reviews; the tests check each lands in the dead-letter topic.
 */
public final class MalformedEvents {
  private MalformedEvents() {}

  /** Value bytes of each malformed event, and the dead-letter error type the job must give it. */
  public static Map<byte[], ErrorType> all(int maxTextBytes) {
    SingleObjectCodec<Review> reviews = SingleObjectCodec.reviews();
    byte[] good = reviews.encode(review("malformed-truncated", "a fine review"));
    Map<byte[], ErrorType> events = new LinkedHashMap<>();
    events.put("plain text, not Avro".getBytes(StandardCharsets.UTF_8), ErrorType.UNDECODABLE);
    events.put(Arrays.copyOf(good, good.length / 2), ErrorType.UNDECODABLE);
    events.put(hugeDeclaredLength(good), ErrorType.UNDECODABLE);
    events.put(
        SingleObjectCodec.deadLetters()
            .encode(
                DeadLetter.newBuilder()
                    .setTopic("elsewhere")
                    .setPartition(0)
                    .setOffset(0)
                    .setErrorType(ErrorType.UNKNOWN)
                    .setReason("a record of another schema")
                    .setFailedAt(Instant.EPOCH)
                    .build()),
        ErrorType.WRONG_SCHEMA);
    events.put(reviews.encode(review("", "a review without an id")), ErrorType.MISSING_ID);
    events.put(reviews.encode(review("malformed-blank", "   \n\t ")), ErrorType.EMPTY_TEXT);
    events.put(
        reviews.encode(review("malformed-huge", "long ".repeat(maxTextBytes / 5 + 1))),
        ErrorType.TEXT_TOO_LONG);
    return events;
  }

  /**
   * A Review whose text declares 2,000,000,000 bytes and carries one: Avro alone would allocate 2
   * GB for it.
   */
  private static byte[] hugeDeclaredLength(byte[] good) {
    int idLength = "malformed-truncated".length();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(good, 0, SingleObjectCodec.HEADER_LENGTH + 1 + idLength); // header + review_id
    for (long zigzag = 2_000_000_000L << 1; ; zigzag >>>= 7) {
      if ((zigzag & ~0x7FL) == 0) {
        out.write((int) zigzag);
        break;
      }
      out.write((int) ((zigzag & 0x7F) | 0x80));
    }
    out.write('x');
    return out.toByteArray();
  }

  private static Review review(String id, String text) {
    return Review.newBuilder()
        .setReviewId(id)
        .setText(text)
        .setSource("demo")
        .setEventTime(Instant.now())
        .build();
  }
}
