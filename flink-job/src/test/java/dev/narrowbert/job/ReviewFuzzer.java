package dev.narrowbert.job;

import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.SingleObjectCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded source of records for the reviews topic: good reviews, some in awkward but valid text,
 * and hostile values of every kind the job must dead-letter, each with the outcome the job owes it.
 * Values that break the Avro body are written byte by byte, so a test controls exactly what the
 * wire carries (a 2 GB declared length, invalid UTF-8).
 */
final class ReviewFuzzer {

  /** What a record is, and the error type the job must dead-letter it with (null: a result). */
  enum Kind {
    GOOD(null),
    GOOD_AWKWARD_TEXT(null),
    NULL_KEY_GOOD(null),
    RANDOM_BYTES(ErrorType.UNDECODABLE),
    TRUNCATED(ErrorType.UNDECODABLE),
    HUGE_DECLARED_LENGTH(ErrorType.UNDECODABLE),
    NEGATIVE_LENGTH(ErrorType.UNDECODABLE),
    EMPTY_VALUE(ErrorType.UNDECODABLE),
    NULL_VALUE(ErrorType.UNDECODABLE),
    WRONG_FINGERPRINT(ErrorType.WRONG_SCHEMA),
    OTHER_SCHEMA(ErrorType.WRONG_SCHEMA),
    BLANK_ID(ErrorType.MISSING_ID),
    ID_TOO_LONG(ErrorType.MISSING_ID),
    EMPTY_TEXT(ErrorType.EMPTY_TEXT),
    WHITESPACE_TEXT(ErrorType.EMPTY_TEXT),
    INVALID_UTF8(ErrorType.INVALID_UTF8),
    TEXT_TOO_LONG(ErrorType.TEXT_TOO_LONG);

    final ErrorType deadLetter;

    Kind(ErrorType deadLetter) {
      this.deadLetter = deadLetter;
    }
  }

  /**
   * One record to send.
   *
   * @param reviewId the id a result or dead letter must carry, or null when there is none
   */
  record Input(Kind kind, String reviewId, byte[] key, byte[] value) {}

  /** Valid texts that are hard on a tokenizer: scripts, emoji, controls, joiners, nothing else. */
  static final List<String> AWKWARD_TEXTS =
      List.of(
          "Mixed scripts: Привет, 你好, مرحبا, שלום, नमस्ते — all fine 👍🏽",
          "Control\u0000chars\u0007and\u001b[31m terminal escapes\u001b[0m in a review",
          "\u0000\u0001\u0002\u0007\u001b",
          "Zero\u200Bwidth\u200D joiners, e\u0301 combining accents and \u202Eright-to-left",
          "Emoji only 🎬🍿🤩🔥👨‍👩‍👧‍👦🏳️‍🌈",
          "\uFEFFa byte-order mark, then \uFFFD a replacement character, then 𝔘𝔫𝔦𝔠𝔬𝔡𝔢");

  private static final String WHITESPACE = " \t\n\r\u000B\f\u2003\u3000\u2028";
  private static final int FIRST_BAD_KIND = Kind.RANDOM_BYTES.ordinal();

  private final Random random;
  private final int maxTextBytes;
  private final SingleObjectCodec<Review> codec = SingleObjectCodec.reviews();
  private int sequence;

  ReviewFuzzer(long seed, int maxTextBytes) {
    this.random = new Random(seed);
    this.maxTextBytes = maxTextBytes;
  }

  /** A good review with probability {@code goodShare}, else a hostile value of a random kind. */
  Input next(double goodShare) {
    Kind[] kinds = Kind.values();
    Kind kind =
        random.nextDouble() < goodShare
            ? kinds[random.nextInt(FIRST_BAD_KIND)]
            : kinds[FIRST_BAD_KIND + random.nextInt(kinds.length - FIRST_BAD_KIND)];
    return of(kind);
  }

  /** A record of {@code kind}; TEXT_TOO_LONG and ID_TOO_LONG stay near their limits. */
  Input of(Kind kind) {
    String id = kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + sequence++;
    return switch (kind) {
      case GOOD -> review(kind, id, "A " + Reviews.words(3 + random.nextInt(40)) + " film.");
      case GOOD_AWKWARD_TEXT ->
          review(kind, id, AWKWARD_TEXTS.get(random.nextInt(AWKWARD_TEXTS.size())));
      case NULL_KEY_GOOD -> withKey(review(kind, id, "Fine, with no key."), null);
      case RANDOM_BYTES -> {
        byte[] noise = new byte[random.nextInt(200)];
        random.nextBytes(noise);
        if (noise.length > 0 && noise[0] == (byte) 0xC3) {
          noise[0] = 0; // never the single-object marker: that would be another kind
        }
        yield raw(kind, id, noise);
      }
      case TRUNCATED -> {
        byte[] good = encode(id, "A review that will not arrive whole.");
        yield raw(kind, id, Arrays.copyOf(good, random.nextInt(good.length)));
      }
      case HUGE_DECLARED_LENGTH -> {
        long declared = 1_000_000L + (long) (random.nextDouble() * 2_100_000_000L);
        byte[] body =
            switch (random.nextInt(3)) {
              case 0 -> concat(varint(declared), "r".getBytes(StandardCharsets.UTF_8));
              case 1 -> concat(string(id), varint(declared), new byte[] {'x'});
              default -> concat(string(id), string("fine text"), varint(declared));
            };
        yield raw(kind, id, concat(header(), body));
      }
      case NEGATIVE_LENGTH ->
          raw(kind, id, concat(header(), string(id), varint(-1 - random.nextInt(1000))));
      case EMPTY_VALUE -> raw(kind, id, new byte[0]);
      case NULL_VALUE -> raw(kind, id, null);
      case WRONG_FINGERPRINT -> {
        byte[] value = encode(id, "A review from an unknown writer.");
        value[2 + random.nextInt(8)] ^= (byte) (1 + random.nextInt(255));
        yield raw(kind, id, value);
      }
      case OTHER_SCHEMA ->
          raw(
              kind,
              id,
              SingleObjectCodec.deadLetters()
                  .encode(
                      Reviews.record(1, new byte[] {1})
                          .deadLetter(ErrorType.UNKNOWN, "a record of another schema", id)));
      case BLANK_ID ->
          new Input(kind, null, key(id), encode(random.nextBoolean() ? "" : "  ", "ok"));
      case ID_TOO_LONG -> {
        String longId = "i".repeat(ReviewValidator.MAX_ID_LENGTH + 1 + random.nextInt(5_000));
        yield new Input(kind, null, key(id), encode(longId, "A fine film."));
      }
      case EMPTY_TEXT -> review(kind, id, "");
      case WHITESPACE_TEXT -> {
        StringBuilder blank = new StringBuilder();
        for (int i = 1 + random.nextInt(20); i > 0; i--) {
          blank.append(WHITESPACE.charAt(random.nextInt(WHITESPACE.length())));
        }
        yield review(kind, id, blank.toString());
      }
      case INVALID_UTF8 -> {
        byte[] text = "bad bytes: \u0000\u0000 here".getBytes(StandardCharsets.UTF_8);
        byte[][] invalid = {
          {(byte) 0xFF, (byte) 0xFE}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0}
        };
        byte[] bad = invalid[random.nextInt(invalid.length)];
        text[11] = bad[0];
        text[12] = bad[1];
        yield new Input(
            kind, id, key(id), concat(header(), string(id), lengthPrefixed(text), tail()));
      }
      case TEXT_TOO_LONG ->
          review(
              kind, id, "long ".repeat((maxTextBytes + 1 + random.nextInt(maxTextBytes)) / 5 + 1));
    };
  }

  /** A review of about {@code bytes} bytes of UTF-8 text (ASCII): far past any text limit. */
  Input hugeText(int bytes) {
    String id = "huge-text-" + sequence++;
    return review(Kind.TEXT_TOO_LONG, id, "y".repeat(bytes));
  }

  /** A review whose id alone is {@code characters} long. */
  Input hugeId(int characters) {
    String id = "huge-id-" + sequence++;
    return new Input(Kind.ID_TOO_LONG, null, key(id), encode("h".repeat(characters), "Fine."));
  }

  private Input review(Kind kind, String id, String text) {
    return new Input(kind, id, nullKeySometimes(id), encode(id, text));
  }

  private Input raw(Kind kind, String id, byte[] value) {
    return new Input(kind, null, nullKeySometimes(id), value);
  }

  private static Input withKey(Input input, byte[] key) {
    return new Input(input.kind(), input.reviewId(), key, input.value());
  }

  /** A key of the id, or (one time in ten) no key at all. */
  private byte[] nullKeySometimes(String id) {
    return random.nextInt(10) == 0 ? null : key(id);
  }

  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] encode(String id, String text) {
    return codec.encode(Reviews.review(id, text));
  }

  private byte[] header() {
    return Arrays.copyOf(codec.encode(Reviews.review("x", "x")), SingleObjectCodec.HEADER_LENGTH);
  }

  /** source "fuzz", no product_id, rating or language, event_time 0. */
  private static byte[] tail() {
    return concat(string("fuzz"), varint(0), varint(0), varint(0), varint(0));
  }

  private static byte[] string(String text) {
    return lengthPrefixed(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] lengthPrefixed(byte[] bytes) {
    return concat(varint(bytes.length), bytes);
  }

  /** Avro's zig-zag varint encoding of a long. */
  private static byte[] varint(long n) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long zigzag = (n << 1) ^ (n >> 63); ; zigzag >>>= 7) {
      if ((zigzag & ~0x7FL) == 0) {
        out.write((int) zigzag);
        return out.toByteArray();
      }
      out.write((int) ((zigzag & 0x7F) | 0x80));
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
