package dev.narrowbert.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The published index of every writer schema that may appear on our topics: {@value #RESOURCE} in
 * the schemas jar, written at build time (the module's pom runs {@link #main} in {@code
 * process-classes}, over the schemas the jar itself carries).
 *
 * <p>Why publish fingerprints: a consumer finds the writer schema of a single-object-encoded value
 * by the 8-byte fingerprint in its header, the CRC-64-AVRO hash of the schema's <a
 * href="https://avro.apache.org/docs/1.12.0/specification/#parsing-canonical-form-for-schemas">Parsing
 * Canonical Form</a>, and not every Avro library computes that form as Java's, which writes our
 * topics, does. Apache Avro's Python library 1.11 keeps {@code {"type":"long"}} where Java writes
 * {@code "long"} for a {@code timestamp-millis} field, so the fingerprints it computes for our
 * schemas match nothing. A consumer that looks the fingerprint up here needs no hashing at all.
 *
 * <p>One line per schema version, tab-separated, after a header line, sorted by schema name, then
 * version ({@code v1}, {@code v2}, ..., then {@code current}):
 *
 * <ol>
 *   <li>{@code fingerprint_hex}: the 8 fingerprint bytes in the order they appear on the wire
 *       (bytes 2 to 9 of a value), lowercase hex: Python's {@code value[2:10].hex()}.
 *   <li>{@code fingerprint_long}: the same bytes read as a signed little-endian 64-bit integer, as
 *       Java's {@link SchemaNormalization#parsingFingerprint64} and {@link
 *       SingleObjectCodec#fingerprint()} return it.
 *   <li>{@code schema}: the record's simple name ({@code Review}, ...).
 *   <li>{@code version}: {@code vN} for a released version, {@code current} for the schema the job
 *       writes now (the same fingerprint as the latest release when only docs changed since).
 *   <li>{@code resource}: the writer schema's path in the jar.
 * </ol>
 */
public final class FingerprintsFile {

  /** Where the index lies in the jar (and under {@code target/classes}). */
  public static final String RESOURCE = "dev/narrowbert/schema/fingerprints.tsv";

  static final String HEADER = "fingerprint_hex\tfingerprint_long\tschema\tversion\tresource";

  private static final String SCHEMA_DIR = "dev/narrowbert/schema";
  private static final Pattern RELEASED_FILE = Pattern.compile("v([1-9][0-9]*)\\.avsc");

  private FingerprintsFile() {}

  /** One schema version with its fingerprint. */
  record Row(String schema, String version, String resource, long fingerprint) {

    /** The fingerprint's 8 bytes as they appear on the wire: little-endian, lowercase hex. */
    String wireHex() {
      StringBuilder hex = new StringBuilder(16);
      for (int i = 0; i < 8; i++) {
        hex.append(String.format("%02x", (fingerprint >>> (8 * i)) & 0xFF));
      }
      return hex.toString();
    }

    String line() {
      return String.join("\t", wireHex(), Long.toString(fingerprint), schema, version, resource);
    }

    private int versionOrder() {
      return version.equals("current") ? Integer.MAX_VALUE : Integer.parseInt(version.substring(1));
    }
  }

  /**
   * Writes {@value #RESOURCE} under the classes directory {@code args[0]}, from the schemas found
   * there: {@code NAME.avsc} (current) and {@code released/NAME/vN.avsc}.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: FingerprintsFile CLASSES_DIR");
    }
    Path classes = Path.of(args[0]);
    Path out = classes.resolve(RESOURCE);
    Files.writeString(out, render(rows(classes)), StandardCharsets.UTF_8);
  }

  /** Every current and released schema under {@code classes}, in the file's order. */
  static List<Row> rows(Path classes) throws IOException {
    Path dir = classes.resolve(SCHEMA_DIR);
    List<Row> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
        String name = file.getFileName().toString().replaceFirst("\\.avsc$", "");
        rows.add(row(file, name, "current", classes));
      }
    }
    try (Stream<Path> files = Files.walk(dir.resolve("released"), 2)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
        Matcher version = RELEASED_FILE.matcher(file.getFileName().toString());
        if (!version.matches()) {
          throw new IllegalStateException(file + ": a released schema is named vN.avsc");
        }
        String name = file.getParent().getFileName().toString();
        rows.add(row(file, name, "v" + version.group(1), classes));
      }
    }
    if (rows.isEmpty()) {
      throw new IllegalStateException("no .avsc files under " + dir);
    }
    rows.sort(Comparator.comparing(Row::schema).thenComparingInt(Row::versionOrder));
    return rows;
  }

  static String render(List<Row> rows) {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    rows.forEach(row -> text.append(row.line()).append('\n'));
    return text.toString();
  }

  private static Row row(Path file, String name, String version, Path classes) throws IOException {
    Schema schema = new Schema.Parser().parse(file.toFile());
    if (!schema.getName().equals(name)) {
      throw new IllegalStateException(
          file + " holds schema " + schema.getName() + ", not " + name + " as its path says");
    }
    String resource = classes.relativize(file).toString().replace('\\', '/');
    return new Row(name, version, resource, SchemaNormalization.parsingFingerprint64(schema));
  }
}
