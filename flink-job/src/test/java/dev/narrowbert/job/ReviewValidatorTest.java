package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.SingleObjectCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReviewValidatorTest {
  private static final int MAX_TEXT_BYTES = 200;

  private OneInputStreamOperatorTestHarness<SourceRecord, ValidReview> harness;

  @BeforeEach
  void open() throws Exception {
    harness = ProcessFunctionTestHarnesses.forProcessFunction(new ReviewValidator(MAX_TEXT_BYTES));
  }

  @Test
  void passesAGoodReviewOnWithItsSource() throws Exception {
    SourceRecord record = Reviews.record(5, Reviews.review("r1", "Great acting, weak plot."));
    harness.processElement(record, 0);

    assertThat(harness.extractOutputValues())
        .singleElement()
        .satisfies(
            valid -> {
              assertThat(valid.review().getText()).isEqualTo("Great acting, weak plot.");
              assertThat(valid.source().offset()).isEqualTo(5);
            });
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void sendsEveryKindOfBadInputToTheDeadLetterOutputWithItsBytesAndReason() throws Exception {
    byte[] good = SingleObjectCodec.reviews().encode(Reviews.review("r", "fine"));
    byte[] analysis = wrongSchemaValue();
    byte[] invalidUtf8 = withInvalidUtf8Text();
    List<SourceRecord> bad =
        List.of(
            Reviews.record(0, (byte[]) null),
            Reviews.record(1, "not avro at all".getBytes(StandardCharsets.UTF_8)),
            Reviews.record(2, Arrays.copyOf(good, good.length - 3)),
            Reviews.record(3, analysis),
            Reviews.record(4, Reviews.review(" ", "text without id")),
            Reviews.record(5, Reviews.review("r5", " \t\n ")),
            Reviews.record(6, Reviews.review("r6", "x".repeat(MAX_TEXT_BYTES + 1))),
            Reviews.record(7, invalidUtf8));
    for (SourceRecord record : bad) {
      harness.processElement(record, 0);
    }

    assertThat(harness.extractOutputValues()).isEmpty();
    List<DeadLetter> letters = deadLetters();
    assertThat(letters)
        .extracting(DeadLetter::getErrorType)
        .containsExactly(
            ErrorType.UNDECODABLE,
            ErrorType.UNDECODABLE,
            ErrorType.UNDECODABLE,
            ErrorType.WRONG_SCHEMA,
            ErrorType.MISSING_ID,
            ErrorType.EMPTY_TEXT,
            ErrorType.TEXT_TOO_LONG,
            ErrorType.INVALID_UTF8);
    assertThat(letters)
        .extracting(DeadLetter::getOffset)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(letters).allSatisfy(letter -> assertThat(letter.getReason()).isNotBlank());
    assertThat(letters.get(6).getReason()).contains("201 bytes", "max-text-bytes=200");
    assertThat(letters.get(5).getReviewId()).isEqualTo("r5");
    for (int i = 1; i < bad.size(); i++) {
      assertThat(bytes(letters.get(i).getValue())).isEqualTo(bad.get(i).value());
      assertThat(bytes(letters.get(i).getKey())).isEqualTo(bad.get(i).key());
    }
    assertThat(letters.get(0).getValue()).isNull();
  }

  @Test
  void keepsTextWithLegitimateReplacementCharactersAndEmoji() throws Exception {
    harness.processElement(Reviews.record(0, Reviews.review("r", "odd \uFFFD glyph 🎬 ok")), 0);
    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void countsTheTextLimitInUtf8BytesNotCharacters() throws Exception {
    String twoBytesEach = "é".repeat(MAX_TEXT_BYTES / 2 + 1); // 101 chars, 202 bytes
    harness.processElement(Reviews.record(0, Reviews.review("r", twoBytesEach)), 0);
    assertThat(deadLetters())
        .extracting(DeadLetter::getErrorType)
        .containsExactly(ErrorType.TEXT_TOO_LONG);
  }

  @Test
  void refusesAReviewIdTooLongToKeyAResult() throws Exception {
    String longId = "i".repeat(ReviewValidator.MAX_ID_LENGTH + 1);
    harness.processElement(Reviews.record(0, Reviews.review(longId, "a fine film")), 0);
    harness.processElement(
        Reviews.record(1, Reviews.review("i".repeat(ReviewValidator.MAX_ID_LENGTH), "fine")), 0);

    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            letter -> {
              assertThat(letter.getErrorType()).isEqualTo(ErrorType.MISSING_ID);
              assertThat(letter.getReason())
                  .isEqualTo("review_id is 1001 characters, more than 1000");
              assertThat(letter.getReviewId()).isNull();
            });
  }

  @Test
  void keepsOnlyTheStartOfAHugeRecordInItsDeadLetterAndSaysSo() throws Exception {
    int size = 3 * SourceRecord.MAX_COPIED_BYTES;
    Review huge = Reviews.review("huge", "y".repeat(size));
    byte[] value = SingleObjectCodec.reviews().encode(huge);
    byte[] key = new byte[size];
    harness.processElement(new SourceRecord("reviews", 1, 77, 0, key, value), 0);

    DeadLetter letter = deadLetters().get(0);
    assertThat(letter.getErrorType()).isEqualTo(ErrorType.TEXT_TOO_LONG);
    assertThat(bytes(letter.getValue()))
        .isEqualTo(Arrays.copyOf(value, SourceRecord.MAX_COPIED_BYTES));
    assertThat(letter.getKey().remaining()).isEqualTo(SourceRecord.MAX_COPIED_BYTES);
    assertThat(letter.getReason())
        .contains("more than max-text-bytes=" + MAX_TEXT_BYTES)
        .contains("key cut to its first 131072 of " + size + " bytes")
        .contains("value cut to its first 131072 of " + value.length + " bytes");
    assertThat(letter.getOffset()).isEqualTo(77);
    assertThat(SingleObjectCodec.deadLetters().encode(letter).length)
        .as("fits a Kafka record of the default maximum size")
        .isLessThan(1_000_000);
  }

  private List<DeadLetter> deadLetters() {
    var queue = harness.getSideOutput(ReviewValidator.DEAD_LETTERS);
    return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
  }

  private static byte[] wrongSchemaValue() {
    return SingleObjectCodec.deadLetters()
        .encode(Reviews.record(9, new byte[] {1}).deadLetter(ErrorType.UNKNOWN, "x", null));
  }

  /** A Review whose text bytes on the wire are not UTF-8 (0xFF never occurs in UTF-8). */
  private static byte[] withInvalidUtf8Text() {
    Review review = Reviews.review("r7", "bad ZZ byte");
    byte[] value = SingleObjectCodec.reviews().encode(review);
    for (int i = SingleObjectCodec.HEADER_LENGTH; i < value.length - 1; i++) {
      if (value[i] == 'Z' && value[i + 1] == 'Z') {
        value[i] = (byte) 0xFF;
        return value;
      }
    }
    throw new AssertionError("marker not found");
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
