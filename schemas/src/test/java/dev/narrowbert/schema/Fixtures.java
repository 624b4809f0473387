package dev.narrowbert.schema;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Sample records with every field set, including the awkward ones (optionals, unicode, empties).
 */
final class Fixtures {
  private Fixtures() {}

  static final Instant WRITTEN = Instant.parse("2026-03-14T15:09:26.535Z");

  static Review review() {
    return Review.newBuilder()
        .setReviewId("r-42")
        .setText("Loved it! Ünïcode, emoji 🎬 and <br /> breaks.")
        .setSource("imdb")
        .setProductId("tt0111161")
        .setRating(9)
        .setLanguage("en")
        .setEventTime(WRITTEN)
        .build();
  }

  static Review reviewWithoutOptionals() {
    return Review.newBuilder()
        .setReviewId("r-43")
        .setText("meh")
        .setSource("app-store")
        .setEventTime(WRITTEN)
        .build();
  }

  static ReviewAnalysis analysis() {
    return ReviewAnalysis.newBuilder()
        .setReviewId("r-42")
        .setModelVersion("narrowbert-mini@1")
        .setSentiment(new Sentiment(SentimentLabel.POSITIVE, 0.97f))
        .setEntities(
            List.of(
                new Entity("Tim Robbins", EntityType.PER, 10, 21, 0.91f),
                new Entity("Maine", EntityType.LOC, 40, 45, 0.88f)))
        .setEmbedding(List.of(0.25f, -1.5f, 3.0e-7f, Float.MAX_VALUE))
        .setTokens(57)
        .setTruncated(false)
        .setEventTime(WRITTEN)
        .setProcessedTime(WRITTEN.plusMillis(120))
        .build();
  }

  static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setKey(ByteBuffer.wrap("r-44".getBytes(StandardCharsets.UTF_8)))
        .setValue(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 0, (byte) 0xFF}))
        .setTopic("reviews")
        .setPartition(3)
        .setOffset(1_234_567_890_123L)
        .setReviewId(null)
        .setErrorType(ErrorType.UNDECODABLE)
        .setReason("value of 4 bytes does not start with the Avro single-object header")
        .setFailedAt(WRITTEN)
        .build();
  }
}
