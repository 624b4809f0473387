package dev.narrowbert.job;

import dev.narrowbert.schema.AvroDecodingLimits;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.SingleObjectCodec;
import dev.narrowbert.schema.WireFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each Kafka value as a {@link Review} and checks it, sending every record that cannot be
 * analysed to {@link #DEAD_LETTERS} with its original bytes and the reason. One bad record never
 * fails the job.
 *
 * <p>Checks, in order: a value at all; Avro single-object encoding; a known {@code Review} schema
 * version; a non-blank {@code review_id} of at most {@value #MAX_ID_LENGTH} characters (it keys the
 * results: a megabyte-long id would make a result Kafka refuses, failing the job on every restart);
 * a non-blank text; text at most {@code maxTextBytes} in UTF-8; text that was valid UTF-8 on the
 * wire (Avro would otherwise replace bad bytes with U+FFFD silently).
 */
public final class ReviewValidator extends ProcessFunction<SourceRecord, ValidReview> {
  private static final Logger LOG = LoggerFactory.getLogger(ReviewValidator.class);

  /** Side output of the records that fail validation. */
  public static final OutputTag<dev.narrowbert.schema.DeadLetter> DEAD_LETTERS =
      new OutputTag<>("invalid-reviews") {};

  /** The longest {@code review_id} the job accepts, in characters. */
  public static final int MAX_ID_LENGTH = 1_000;

  private final int maxTextBytes;
  private transient SingleObjectCodec<Review> codec;
  private transient Counter valid;
  private transient Map<ErrorType, Counter> deadLetters;

  public ReviewValidator(int maxTextBytes) {
    this.maxTextBytes = maxTextBytes;
  }

  @Override
  public void open(OpenContext context) {
    codec = SingleObjectCodec.reviews();
    if (!AvroDecodingLimits.inEffect()) {
      LOG.warn(
          "Avro read its decoding limits before this job could set them (another Avro user in"
              + " this class loader came first); only the codec's own length check stops values"
              + " that declare huge lengths");
    }
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    valid = metrics.counter("validReviews");
    deadLetters = deadLetterCounters(metrics);
  }

  /** One counter per dead-letter reason, under the metric group {@code deadLetters}. */
  static Map<ErrorType, Counter> deadLetterCounters(MetricGroup metrics) {
    MetricGroup group = metrics.addGroup("deadLetters");
    Map<ErrorType, Counter> counters = new EnumMap<>(ErrorType.class);
    for (ErrorType type : ErrorType.values()) {
      counters.put(type, group.counter(type.name()));
    }
    return counters;
  }

  @Override
  public void processElement(SourceRecord record, Context context, Collector<ValidReview> out) {
    if (record.value() == null) {
      reject(
          record,
          context,
          ErrorType.UNDECODABLE,
          "value is null (a tombstone), not a Review",
          null);
      return;
    }
    Review review;
    try {
      review = codec.decode(record.value());
    } catch (WireFormatException e) {
      ErrorType type =
          e.problem() == WireFormatException.Problem.UNKNOWN_SCHEMA
              ? ErrorType.WRONG_SCHEMA
              : ErrorType.UNDECODABLE;
      reject(record, context, type, e.getMessage(), null);
      return;
    }
    String id = review.getReviewId();
    String text = review.getText();
    if (id == null || id.isBlank()) {
      reject(record, context, ErrorType.MISSING_ID, "review_id is empty", null);
    } else if (id.length() > MAX_ID_LENGTH) {
      reject(
          record,
          context,
          ErrorType.MISSING_ID,
          "review_id is " + id.length() + " characters, more than " + MAX_ID_LENGTH,
          null);
    } else if (text == null) {
      reject(record, context, ErrorType.MISSING_TEXT, "text is missing", id);
    } else if (text.isBlank()) {
      reject(record, context, ErrorType.EMPTY_TEXT, "text is empty or only whitespace", id);
    } else if (record.value().length > maxTextBytes && utf8Length(text) > maxTextBytes) {
      reject(
          record,
          context,
          ErrorType.TEXT_TOO_LONG,
          "text is "
              + utf8Length(text)
              + " bytes of UTF-8, more than max-text-bytes="
              + maxTextBytes,
          id);
    } else if (text.indexOf('\uFFFD') >= 0 && !wireTextIsValidUtf8(record.value())) {
      reject(record, context, ErrorType.INVALID_UTF8, "text is not valid UTF-8", id);
    } else {
      valid.inc();
      out.collect(new ValidReview(review, record));
    }
  }

  private void reject(
      SourceRecord record, Context context, ErrorType type, String reason, String reviewId) {
    deadLetters.get(type).inc();
    context.output(DEAD_LETTERS, record.deadLetter(type, reason, reviewId));
  }

  private static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * Re-reads the text's raw bytes (Avro's String decoding replaces malformed UTF-8 with U+FFFD) and
   * decodes them strictly. Only runs for texts that contain U+FFFD, so the common path pays
   * nothing.
   */
  private static boolean wireTextIsValidUtf8(byte[] value) {
    try {
      GenericRecord raw =
          new GenericDatumReader<GenericRecord>(RawStrings.REVIEW)
              .read(
                  null,
                  DecoderFactory.get()
                      .binaryDecoder(
                          value,
                          SingleObjectCodec.HEADER_LENGTH,
                          value.length - SingleObjectCodec.HEADER_LENGTH,
                          null));
      Utf8 text = (Utf8) raw.get("text");
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(text.getBytes(), 0, text.getByteLength()));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    } catch (IOException | RuntimeException e) {
      return true; // written with another schema version: trust the decoded text
    }
  }

  /** The Review schema with strings read as raw {@link Utf8} bytes. */
  private static final class RawStrings {
    static final Schema REVIEW =
        new Schema.Parser()
            .parse(
                Review.getClassSchema().toString().replace(",\"avro.java.string\":\"String\"", ""));
  }
}
