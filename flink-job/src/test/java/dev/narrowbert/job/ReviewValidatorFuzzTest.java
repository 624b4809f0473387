package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.SingleObjectCodec;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * Thousands of hostile values among good reviews: the validator must turn each input into exactly
 * one output (a valid review or a dead letter), never throw, and never drop a good review.
 */
class ReviewValidatorFuzzTest {
  private static final List<String> TRICKY_TEXTS =
      List.of(
          "Mixed scripts: Привет, 你好, مرحبا, שלום — all fine 👍🏽",
          "Control\u0000chars\u0007and\u001b[31mescapes",
          "Zero\u200Bwidth\u200Djoiners and e\u0301 combining accents",
          "Emoji only 🎬🍿🤩🔥",
          "A".repeat(5_000));

  @Test
  void everyInputBecomesExactlyOneResultOrDeadLetterAndGoodReviewsPass() throws Exception {
    OneInputStreamOperatorTestHarness<SourceRecord, ValidReview> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(new ReviewValidator(100_000));
    SingleObjectCodec<Review> codec = SingleObjectCodec.reviews();
    Random random = new Random(20261120);
    Set<String> goodIds = new HashSet<>();
    int inputs = 5_000;

    for (int i = 0; i < inputs; i++) {
      byte[] value;
      if (i % 5 == 0) {
        String id = "good-" + i;
        goodIds.add(id);
        value =
            codec.encode(Reviews.review(id, TRICKY_TEXTS.get(random.nextInt(TRICKY_TEXTS.size()))));
      } else {
        value = hostile(random, codec.encode(Reviews.review("victim-" + i, "a decent film")));
      }
      harness.processElement(Reviews.record(i, value), i);
    }

    List<ValidReview> valid = harness.extractOutputValues();
    var deadLetters = harness.getSideOutput(ReviewValidator.DEAD_LETTERS);
    assertThat(valid.size() + deadLetters.size()).isEqualTo(inputs);
    Set<String> validIds = new HashSet<>();
    valid.forEach(review -> validIds.add(review.review().getReviewId()));
    assertThat(validIds).containsAll(goodIds);
    assertThat(deadLetters)
        .allSatisfy(letter -> assertThat(letter.getValue().getReason()).isNotBlank());
    assertThat(deadLetters.size()).as("most hostile values are rejected").isGreaterThan(inputs / 2);
  }

  /** One of several ways to break a good value, chosen at random. */
  private static byte[] hostile(Random random, byte[] good) {
    switch (random.nextInt(6)) {
      case 0 -> {
        byte[] noise = new byte[random.nextInt(64)];
        random.nextBytes(noise);
        return noise;
      }
      case 1 -> {
        return Arrays.copyOf(good, random.nextInt(good.length));
      }
      case 2 -> {
        byte[] flipped = good.clone();
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
          flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return flipped;
      }
      case 3 -> {
        byte[] longer = Arrays.copyOf(good, good.length + 1 + random.nextInt(16));
        longer[SingleObjectCodec.HEADER_LENGTH] = (byte) 0xFF; // a huge/negative varint length
        longer[SingleObjectCodec.HEADER_LENGTH + 1] = (byte) 0xFF;
        longer[SingleObjectCodec.HEADER_LENGTH + 2] = (byte) 0xFF;
        longer[SingleObjectCodec.HEADER_LENGTH + 3] = (byte) 0x7F;
        return longer;
      }
      case 4 -> {
        byte[] wrongFingerprint = good.clone();
        wrongFingerprint[2 + random.nextInt(8)] ^= 0x55;
        return wrongFingerprint;
      }
      default -> {
        return new byte[0];
      }
    }
  }
}
