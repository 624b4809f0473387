package dev.narrowbert.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

class SingleObjectCodecTest {

  @Test
  void roundTripsReviewWithAndWithoutOptionalFields() throws Exception {
    var codec = SingleObjectCodec.reviews();
    for (Review review : List.of(Fixtures.review(), Fixtures.reviewWithoutOptionals())) {
      assertThat(codec.decode(codec.encode(review))).isEqualTo(review);
    }
    Review bare = codec.decode(codec.encode(Fixtures.reviewWithoutOptionals()));
    assertThat(bare.getRating()).isNull();
    assertThat(bare.getProductId()).isNull();
    assertThat(bare.getLanguage()).isNull();
  }

  @Test
  void roundTripsReviewAnalysisWithEntitiesAndEmbedding() throws Exception {
    var codec = SingleObjectCodec.analyses();
    ReviewAnalysis decoded = codec.decode(codec.encode(Fixtures.analysis()));

    assertThat(decoded).isEqualTo(Fixtures.analysis());
    assertThat(decoded.getEntities())
        .extracting(Entity::getType)
        .containsExactly(EntityType.PER, EntityType.LOC);
    assertThat(decoded.getEmbedding()).containsExactly(0.25f, -1.5f, 3.0e-7f, Float.MAX_VALUE);
  }

  @Test
  void roundTripsDeadLetterKeepingOriginalBytes() throws Exception {
    var codec = SingleObjectCodec.deadLetters();
    DeadLetter decoded = codec.decode(codec.encode(Fixtures.deadLetter()));

    assertThat(decoded).isEqualTo(Fixtures.deadLetter());
    assertThat(bytes(decoded.getValue())).containsExactly(0xC3, 0x01, 0x00, 0xFF);
    assertThat(new String(bytes(decoded.getKey()), StandardCharsets.UTF_8)).isEqualTo("r-44");
  }

  @Test
  void writesMarkerAndWriterFingerprintInHeader() {
    var codec = SingleObjectCodec.reviews();
    byte[] value = codec.encode(Fixtures.review());

    assertThat(value[0]).isEqualTo((byte) 0xC3);
    assertThat(value[1]).isEqualTo((byte) 0x01);
    long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint)
        .isEqualTo(SchemaNormalization.parsingFingerprint64(Review.getClassSchema()))
        .isEqualTo(codec.fingerprint());
  }

  @Test
  void rejectsBytesWithoutSingleObjectHeader() {
    var codec = SingleObjectCodec.reviews();
    for (byte[] junk :
        List.of(
            new byte[0], "plain text".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3})) {
      assertThatThrownBy(() -> codec.decode(junk))
          .isInstanceOf(WireFormatException.class)
          .extracting(e -> ((WireFormatException) e).problem())
          .isEqualTo(WireFormatException.Problem.NOT_SINGLE_OBJECT);
    }
    assertThatThrownBy(() -> codec.decode(null))
        .extracting(e -> ((WireFormatException) e).problem())
        .isEqualTo(WireFormatException.Problem.NOT_SINGLE_OBJECT);
  }

  @Test
  void rejectsRecordOfAnotherSchemaAsUnknownSchema() {
    byte[] analysisBytes = SingleObjectCodec.analyses().encode(Fixtures.analysis());

    assertThatThrownBy(() -> SingleObjectCodec.reviews().decode(analysisBytes))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("not a known version of dev.narrowbert.schema.Review")
        .extracting(e -> ((WireFormatException) e).problem())
        .isEqualTo(WireFormatException.Problem.UNKNOWN_SCHEMA);
  }

  @Test
  void rejectsTruncatedBodyAsMalformed() {
    byte[] value = SingleObjectCodec.reviews().encode(Fixtures.review());
    byte[] truncated = Arrays.copyOf(value, value.length / 2);

    assertThatThrownBy(() -> SingleObjectCodec.reviews().decode(truncated))
        .isInstanceOf(WireFormatException.class)
        .extracting(e -> ((WireFormatException) e).problem())
        .isEqualTo(WireFormatException.Problem.MALFORMED);
  }

  @Test
  void resolvesValuesWrittenWithAnOlderRegisteredWriterSchema() throws Exception {
    // An older producer that did not know the optional fields yet.
    Schema older =
        new Schema.Parser()
            .parse(
                """
                {"type":"record","name":"Review","namespace":"dev.narrowbert.schema","fields":[
                  {"name":"review_id","type":"string"},
                  {"name":"text","type":"string"},
                  {"name":"source","type":"string"},
                  {"name":"event_time","type":{"type":"long","logicalType":"timestamp-millis"}}]}
                """);
    var olderRecord = new org.apache.avro.generic.GenericData.Record(older);
    olderRecord.put("review_id", "old-1");
    olderRecord.put("text", "written by v0");
    olderRecord.put("source", "amazon");
    olderRecord.put("event_time", Fixtures.WRITTEN.toEpochMilli());
    byte[] value =
        new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                org.apache.avro.generic.GenericData.get(), older)
            .encode(olderRecord)
            .array();

    assertThatThrownBy(() -> SingleObjectCodec.reviews().decode(value))
        .extracting(e -> ((WireFormatException) e).problem())
        .isEqualTo(WireFormatException.Problem.UNKNOWN_SCHEMA);

    Review resolved = SingleObjectCodec.reviews().withWriterSchema(older).decode(value);
    assertThat(resolved.getReviewId()).isEqualTo("old-1");
    assertThat(resolved.getEventTime()).isEqualTo(Fixtures.WRITTEN);
    assertThat(resolved.getRating()).isNull();
  }

  @Test
  void rejectsAHugeDeclaredLengthWithoutAllocatingIt() throws Exception {
    byte[] good = SingleObjectCodec.reviews().encode(Fixtures.reviewWithoutOptionals());
    // Header, review_id "r-43" (length 4 as zig-zag varint 0x08 + 4 bytes), then a text that
    // declares 2,000,000,000 bytes and carries one.
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(good, 0, SingleObjectCodec.HEADER_LENGTH + 5);
    for (long zigzag = 2_000_000_000L << 1; ; zigzag >>>= 7) {
      if ((zigzag & ~0x7FL) == 0) {
        out.write((int) zigzag);
        break;
      }
      out.write((int) ((zigzag & 0x7F) | 0x80));
    }
    out.write('x');
    byte[] hostile = out.toByteArray();
    var threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();

    assertThatThrownBy(() -> SingleObjectCodec.reviews().decode(hostile))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("declares more data than its " + hostile.length + " bytes hold")
        .extracting(e -> ((WireFormatException) e).problem())
        .isEqualTo(WireFormatException.Problem.MALFORMED);
    assertThat(threads.getCurrentThreadAllocatedBytes() - before)
        .as("bytes allocated while rejecting it")
        .isLessThan(10_000_000L);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
