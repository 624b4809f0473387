package dev.narrowbert.job;

import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Review fixtures for the job's tests. */
final class Reviews {
  private Reviews() {}

  static Review review(String id, String text) {
    return Review.newBuilder()
        .setReviewId(id)
        .setText(text)
        .setSource("test")
        .setEventTime(Instant.parse("2026-01-02T03:04:05Z"))
        .build();
  }

  static SourceRecord record(long offset, byte[] value) {
    return new SourceRecord(
        "reviews", 0, offset, 1_000L, ("k" + offset).getBytes(StandardCharsets.UTF_8), value);
  }

  static SourceRecord record(long offset, Review review) {
    return record(offset, SingleObjectCodec.reviews().encode(review));
  }

  static ValidReview valid(String id, String text) {
    Review review = review(id, text);
    return new ValidReview(review, record(0, review));
  }

  /** A text of about {@code words} WordPiece tokens. */
  static String words(int words) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < words; i++) {
      text.append(i % 2 == 0 ? "good " : "movie ");
    }
    return text.toString().strip();
  }
}
