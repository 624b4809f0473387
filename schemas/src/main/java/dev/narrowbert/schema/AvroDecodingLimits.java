package dev.narrowbert.schema;

import org.apache.avro.SystemLimitException;

/**
 * Avro's own ceilings on what one declared length may make the decoder allocate: a string, a bytes
 * value, the items of an array or map. Avro 1.12 reads them from the system properties {@value
 * #STRING_PROPERTY}, {@value #BYTES_PROPERTY} and {@value #COLLECTION_PROPERTY}, once, when its
 * decoder first reads a length; unset, each is about 2 billion, so 13 hostile bytes may ask for 2
 * GB.
 *
 * <p>{@link SingleObjectCodec} sets them when it loads, before any value of ours is decoded (every
 * decoding in this project goes through it, and every operator of the job opens its codec before
 * its first record). They are the second line of defence: the codec first checks that every
 * declared length fits inside the value. A limit already set on the command line (for example
 * {@code -Dorg.apache.avro.limits.string.maxLength=...}) is kept. The properties are JVM-wide, so
 * they also bind other Avro users in the same JVM that load Avro afterwards.
 */
public final class AvroDecodingLimits {
  public static final String STRING_PROPERTY = SystemLimitException.MAX_STRING_LENGTH_PROPERTY;
  public static final String BYTES_PROPERTY = SystemLimitException.MAX_BYTES_LENGTH_PROPERTY;
  public static final String COLLECTION_PROPERTY =
      SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY;

  /**
   * Longest string or bytes value: 16 MiB, well above any Kafka record we accept (the broker's
   * default maximum is 1 MB), far below what would starve a TaskManager.
   */
  public static final int MAX_STRING_BYTES = 16 * 1024 * 1024;

  /** Most items in one array or map: our largest are embeddings (hidden size) and entities. */
  public static final int MAX_COLLECTION_ITEMS = 1_000_000;

  private AvroDecodingLimits() {}

  /** Sets each limit that is not set yet. Idempotent; cheap after the first call. */
  public static synchronized void apply() {
    setIfAbsent(STRING_PROPERTY, MAX_STRING_BYTES);
    setIfAbsent(BYTES_PROPERTY, MAX_STRING_BYTES);
    setIfAbsent(COLLECTION_PROPERTY, MAX_COLLECTION_ITEMS);
  }

  /**
   * Whether Avro enforces the configured string limit in this class loader. False when Avro read
   * its limits before {@link #apply()} ran (then only the codec's own length check protects).
   */
  public static boolean inEffect() {
    try {
      long limit = Long.parseLong(System.getProperty(STRING_PROPERTY, "-1"));
      SystemLimitException.checkMaxStringLength(limit + 1);
      return false;
    } catch (SystemLimitException e) {
      return true;
    } catch (RuntimeException e) { // not set, not a number, or above what Java arrays can hold
      return false;
    }
  }

  private static void setIfAbsent(String property, int limit) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, String.valueOf(limit));
    }
  }
}
