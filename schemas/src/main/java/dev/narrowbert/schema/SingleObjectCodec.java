package dev.narrowbert.schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The wire format of every Kafka value this project writes: Avro <a
 * href="https://avro.apache.org/docs/1.12.0/specification/#single-object-encoding">single-object
 * encoding</a>. A value is the two marker bytes {@code C3 01}, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the writer schema, then the Avro binary body.
 *
 * <p>The fingerprint lets a reader tell our records apart from anything else on the topic and
 * resolve older writer schemas against the current one: register each released writer schema with
 * {@link #withWriterSchema(Schema)}. Encoders and decoders are thread-safe.
 *
 * <p>Hostile input: Avro allocates a buffer of whatever length a string or bytes field declares
 * before it finds the bytes missing, so 13 bytes could make it allocate 2 GB. Before decoding, this
 * codec walks the body with {@link GenericDatumReader#skip}, which moves past declared lengths
 * without allocating, and rejects a value whose lengths run past its own end. Behind that check,
 * loading this class sets Avro's own decoding limits ({@link AvroDecodingLimits}: 16 MiB per string
 * or bytes value, a million items per array or map), which Avro reads once, when it first decodes a
 * length; they also bind Avro decoding that does not go through this codec (Flink's Avro serializer
 * between tasks).
 */
public final class SingleObjectCodec<T extends SpecificRecord> {

  /** Length of the single-object header: 2 marker bytes and an 8-byte fingerprint. */
  public static final int HEADER_LENGTH = 10;

  static {
    AvroDecodingLimits.apply();
  }

  private final Schema schema;
  private final long fingerprint;
  private final SchemaStore.Cache writerSchemas = new SchemaStore.Cache();
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private SingleObjectCodec(Schema schema) {
    this.schema = schema;
    // Normalising and hashing the schema is far dearer than decoding a review: once, not per value.
    this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema, writerSchemas);
  }

  /** A codec for {@link Review} values on the reviews topic. */
  public static SingleObjectCodec<Review> reviews() {
    return new SingleObjectCodec<>(Review.getClassSchema());
  }

  /** A codec for {@link ReviewAnalysis} values on the results topic. */
  public static SingleObjectCodec<ReviewAnalysis> analyses() {
    return new SingleObjectCodec<>(ReviewAnalysis.getClassSchema());
  }

  /** A codec for {@link DeadLetter} values on the dead-letter topic. */
  public static SingleObjectCodec<DeadLetter> deadLetters() {
    return new SingleObjectCodec<>(DeadLetter.getClassSchema());
  }

  /**
   * Also accepts values written with {@code writer}, an older (or newer) version of this codec's
   * schema, resolving them to the current schema by Avro's schema-resolution rules.
   */
  public SingleObjectCodec<T> withWriterSchema(Schema writer) {
    decoder.addSchema(writer);
    writerSchemas.addSchema(writer);
    return this;
  }

  /** The schema this codec writes and reads into. */
  public Schema schema() {
    return schema;
  }

  /** The 64-bit fingerprint that every value this codec writes carries in its header. */
  public long fingerprint() {
    return fingerprint;
  }

  /** Encodes {@code record} as one single-object-encoded value. */
  public byte[] encode(T record) {
    Objects.requireNonNull(record, "record");
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot encode " + schema.getName() + ": " + e, e);
    }
  }

  /**
   * Decodes one value.
   *
   * @throws WireFormatException saying which {@link WireFormatException.Problem} the bytes have
   */
  public T decode(byte[] value) throws WireFormatException {
    if (value == null) {
      throw new WireFormatException(WireFormatException.Problem.NOT_SINGLE_OBJECT, "value is null");
    }
    if (value.length < HEADER_LENGTH || value[0] != (byte) 0xC3 || value[1] != (byte) 0x01) {
      throw new WireFormatException(
          WireFormatException.Problem.NOT_SINGLE_OBJECT,
          "value of "
              + value.length
              + " bytes does not start with the Avro single-object header C3 01 + fingerprint");
    }
    long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Schema writer =
        fingerprint == fingerprint() ? schema : writerSchemas.findByFingerprint(fingerprint);
    if (writer == null) {
      throw new WireFormatException(
          WireFormatException.Problem.UNKNOWN_SCHEMA,
          String.format(
              "writer schema fingerprint %016x is not a known version of %s",
              fingerprint, schema.getFullName()));
    }
    checkLengthsFit(value, writer);
    try {
      return decoder.decode(value);
    } catch (MissingSchemaException e) {
      throw new WireFormatException(
          WireFormatException.Problem.UNKNOWN_SCHEMA,
          String.format(
              "writer schema fingerprint %016x is not a known version of %s",
              fingerprint, schema.getFullName()),
          e);
    } catch (BadHeaderException e) {
      throw new WireFormatException(
          WireFormatException.Problem.NOT_SINGLE_OBJECT, String.valueOf(e.getMessage()), e);
    } catch (IOException | AvroRuntimeException e) {
      throw new WireFormatException(
          WireFormatException.Problem.MALFORMED,
          "malformed " + schema.getName() + " body: " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      // Corrupt bodies surface as index, length or cast errors deep inside the decoder.
      throw new WireFormatException(
          WireFormatException.Problem.MALFORMED,
          "malformed " + schema.getName() + " body: " + e,
          e);
    }
  }

  /** Walks the body without allocating: every declared length must fit in the value. */
  private static void checkLengthsFit(byte[] value, Schema writer) throws WireFormatException {
    try {
      GenericDatumReader.skip(
          writer,
          DecoderFactory.get()
              .binaryDecoder(value, HEADER_LENGTH, value.length - HEADER_LENGTH, null));
    } catch (IOException | RuntimeException e) {
      throw new WireFormatException(
          WireFormatException.Problem.MALFORMED,
          "malformed "
              + writer.getName()
              + " body: it declares more data than its "
              + value.length
              + " bytes hold",
          e);
    }
  }
}
