package dev.narrowbert.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

/**
 * Avro's own decoding limits, set by {@link SingleObjectCodec} when it loads: a value that declares
 * a 2 GB string or a billion array items is refused before anything of that size is allocated, both
 * through the codec and by a plain Avro reader that skips the codec's length check.
 */
class AvroDecodingLimitsTest {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final long ALLOWED_ALLOCATION = 10_000_000L;

  @Test
  void loadingTheCodecPutsAvrosLimitsInEffect() {
    SingleObjectCodec.reviews();
    assertThat(System.getProperty(AvroDecodingLimits.STRING_PROPERTY))
        .isEqualTo(String.valueOf(AvroDecodingLimits.MAX_STRING_BYTES));
    assertThat(System.getProperty(AvroDecodingLimits.BYTES_PROPERTY))
        .isEqualTo(String.valueOf(AvroDecodingLimits.MAX_STRING_BYTES));
    assertThat(System.getProperty(AvroDecodingLimits.COLLECTION_PROPERTY))
        .isEqualTo(String.valueOf(AvroDecodingLimits.MAX_COLLECTION_ITEMS));
    assertThat(AvroDecodingLimits.inEffect()).isTrue();
  }

  @Test
  void plainAvroRefusesAStringDeclaringTwoGigabytesWithoutAllocatingIt() {
    SingleObjectCodec<Review> codec = SingleObjectCodec.reviews();
    byte[] hostile = header(codec);
    hostile = concat(hostile, string("r-1"), varint(2_000_000_000L), new byte[] {'x'});

    byte[] value = hostile;
    assertAllocatesLittle(
        () ->
            assertThatThrownBy(() -> readWithPlainAvro(Review.getClassSchema(), value))
                .isInstanceOf(SystemLimitException.class)
                .hasMessageContaining("String length 2000000000 exceeds maximum allowed"));
    assertAllocatesLittle(
        () ->
            assertThatThrownBy(() -> codec.decode(value))
                .isInstanceOf(WireFormatException.class)
                .extracting(e -> ((WireFormatException) e).problem())
                .isEqualTo(WireFormatException.Problem.MALFORMED));
  }

  @Test
  void plainAvroRefusesAnArrayDeclaringABillionItemsWithoutAllocatingIt() {
    SingleObjectCodec<ReviewAnalysis> codec = SingleObjectCodec.analyses();
    byte[] hostile =
        concat(
            header(codec),
            string("r-1"), // review_id
            string("m"), // model_version
            varint(0), // sentiment label NEGATIVE
            new byte[4], // sentiment probability (float)
            varint(1_000_000_000L), // entities: a block of a billion items
            new byte[] {0});

    assertAllocatesLittle(
        () ->
            assertThatThrownBy(() -> readWithPlainAvro(ReviewAnalysis.getClassSchema(), hostile))
                .isInstanceOf(SystemLimitException.class)
                .hasMessage("Collection length 1000000000 exceeds the maximum allowed of 1000000"));
    assertAllocatesLittle(
        () ->
            assertThatThrownBy(() -> codec.decode(hostile))
                .isInstanceOf(WireFormatException.class));
  }

  private static void assertAllocatesLittle(Runnable rejection) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    rejection.run();
    assertThat(THREADS.getCurrentThreadAllocatedBytes() - before)
        .as("bytes allocated while rejecting the value")
        .isLessThan(ALLOWED_ALLOCATION);
  }

  /** Decodes the body as Avro does on its own: no check that declared lengths fit the value. */
  private static Object readWithPlainAvro(Schema schema, byte[] value) throws Exception {
    return new GenericDatumReader<>(schema)
        .read(
            null,
            DecoderFactory.get()
                .binaryDecoder(
                    value,
                    SingleObjectCodec.HEADER_LENGTH,
                    value.length - SingleObjectCodec.HEADER_LENGTH,
                    null));
  }

  private static byte[] header(SingleObjectCodec<?> codec) {
    byte[] header = new byte[SingleObjectCodec.HEADER_LENGTH];
    header[0] = (byte) 0xC3;
    header[1] = 0x01;
    long fingerprint = codec.fingerprint();
    for (int i = 0; i < 8; i++) {
      header[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return header;
  }

  private static byte[] string(String ascii) {
    return concat(varint(ascii.length()), ascii.getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
