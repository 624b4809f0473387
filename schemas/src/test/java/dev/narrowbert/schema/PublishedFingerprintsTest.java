package dev.narrowbert.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * The fingerprints we publish, in the README's table and in {@value FingerprintsFile#RESOURCE} in
 * the jar, are the ones on the wire: for every current and released schema version, the 8 bytes
 * after {@code C3 01} of a value written with it. Consumers look these up instead of computing
 * them, so a stale row would make them miss every value.
 */
class PublishedFingerprintsTest {

  /** Tests run in the module directory; the README is the repository's. */
  private static final Path README = Path.of("../README.md");

  private static final Path RELEASED = Path.of("src/main/resources/dev/narrowbert/schema/released");

  /** {@code | `Review` | v1 | `ada5b67a6dce65a6` | `schemas/.../v1.avsc` |} */
  private static final Pattern README_ROW =
      Pattern.compile(
          "^\\| `(\\w+)` \\| (v\\d+|current) \\| `([0-9a-f]{16})` \\| `([^`]+)` \\|$",
          Pattern.MULTILINE);

  private static final List<Schema> CURRENT =
      List.of(
          DeadLetter.getClassSchema(), Review.getClassSchema(), ReviewAnalysis.getClassSchema());

  /** One schema version and the file in this repository that holds it. */
  record Version(String schema, String version, Schema writer, String file) {
    String key() {
      return schema + " " + version;
    }
  }

  @Test
  void readmeTableListsTheWireFingerprintOfEverySchemaVersion() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    StringBuilder table = new StringBuilder();
    for (Version v : versions()) {
      String hex = HexFormat.of().formatHex(wireFingerprint(v));
      expected.put(v.key(), hex + " " + v.file());
      table.append(
          String.format("| `%s` | %s | `%s` | `%s` |%n", v.schema(), v.version(), hex, v.file()));
    }

    Map<String, String> published = new LinkedHashMap<>();
    Matcher row = README_ROW.matcher(Files.readString(README, StandardCharsets.UTF_8));
    while (row.find()) {
      published.put(row.group(1) + " " + row.group(2), row.group(3) + " " + row.group(4));
    }

    assertThat(published)
        .as("fingerprint rows in README.md; they should read:%n%s", table)
        .containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void shippedIndexListsTheWireFingerprintOfEverySchemaVersion() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    for (Version v : versions()) {
      byte[] wire = wireFingerprint(v);
      long asLong = ByteBuffer.wrap(wire).order(ByteOrder.LITTLE_ENDIAN).getLong();
      expected.put(v.key(), HexFormat.of().formatHex(wire) + " " + asLong);
    }

    List<String> lines;
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream(FingerprintsFile.RESOURCE)) {
      assertThat(in).as("%s on the classpath", FingerprintsFile.RESOURCE).isNotNull();
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    assertThat(lines.get(0))
        .isEqualTo("fingerprint_hex\tfingerprint_long\tschema\tversion\tresource");
    Map<String, String> shipped = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split("\t");
      assertThat(cells).as(line).hasSize(5);
      shipped.put(cells[2] + " " + cells[3], cells[0] + " " + cells[1]);
      assertThat(getClass().getClassLoader().getResource(cells[4]))
          .as("writer schema %s, named in %s", cells[4], FingerprintsFile.RESOURCE)
          .isNotNull();
    }

    assertThat(shipped).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void canonicalFormOfATimestampMillisLongIsPlainLong() {
    Schema timestamp =
        new Schema.Parser().parse("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}");

    assertThat(SchemaNormalization.toParsingForm(timestamp)).isEqualTo("\"long\"");
    assertThat(SchemaNormalization.toParsingForm(Review.getClassSchema()))
        .contains("{\"name\":\"event_time\",\"type\":\"long\"}")
        .doesNotContain("logicalType");
  }

  /**
   * Apache Avro's Python library 1.11 keeps a logical-type long as {@code {"type":"long"}} in the
   * canonical form. Every one of our schemas has a timestamp-millis field, so a consumer that
   * hashes such a form gets a fingerprint that no value of ours carries, which is why the README
   * tells consumers to look fingerprints up.
   */
  @Test
  void canonicalFormThatKeepsTheLongAsAnObjectMatchesNoPublishedFingerprint() throws Exception {
    List<Long> published = new ArrayList<>();
    for (Version v : versions()) {
      published.add(ByteBuffer.wrap(wireFingerprint(v)).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }
    for (Schema current : CURRENT) {
      String canonical = SchemaNormalization.toParsingForm(current);
      String objectLong =
          canonical.replaceAll(
              "(\\{\"name\":\"(event_time|processed_time|failed_at)\",\"type\":)\"long\"\\}",
              "$1{\"type\":\"long\"}}");

      assertThat(objectLong).as(current.getName()).isNotEqualTo(canonical);
      assertThat(SchemaNormalization.fingerprint64(objectLong.getBytes(StandardCharsets.UTF_8)))
          .as(current.getName())
          .isNotIn(published);
    }
  }

  /**
   * Every current schema (the generated classes) and every released version, in the table's order.
   */
  static List<Version> versions() throws IOException {
    List<Version> versions = new ArrayList<>();
    for (Schema current : CURRENT) {
      String name = current.getName();
      try (Stream<Path> files = Files.list(RELEASED.resolve(name))) {
        for (Path file :
            files.sorted((a, b) -> Integer.compare(versionNumber(a), versionNumber(b))).toList()) {
          versions.add(
              new Version(
                  name,
                  file.getFileName().toString().replace(".avsc", ""),
                  new Schema.Parser().parse(file.toFile()),
                  "schemas/" + file.toString().replace('\\', '/')));
        }
      }
      versions.add(
          new Version(name, "current", current, "schemas/src/main/avro/" + name + ".avsc"));
    }
    return versions;
  }

  private static int versionNumber(Path released) {
    return Integer.parseInt(released.getFileName().toString().replaceAll("^v|\\.avsc$", ""));
  }

  /**
   * Bytes 2 to 9 of a value written with {@code v}'s schema: our codec's output for the current
   * schema; for a released one, the same sample resolved to that schema and written by Avro's own
   * single-object encoder.
   */
  private static byte[] wireFingerprint(Version v) throws IOException {
    byte[] value =
        switch (v.schema()) {
          case "Review" -> SingleObjectCodec.reviews().encode(Fixtures.review());
          case "ReviewAnalysis" -> SingleObjectCodec.analyses().encode(Fixtures.analysis());
          case "DeadLetter" -> SingleObjectCodec.deadLetters().encode(Fixtures.deadLetter());
          default -> throw new IllegalArgumentException("no sample of " + v.schema());
        };
    if (!v.version().equals("current")) {
      Schema current =
          CURRENT.stream().filter(s -> s.getName().equals(v.schema())).findFirst().orElseThrow();
      GenericRecord asReleased =
          new GenericDatumReader<GenericRecord>(current, v.writer())
              .read(
                  null,
                  DecoderFactory.get()
                      .binaryDecoder(
                          value,
                          SingleObjectCodec.HEADER_LENGTH,
                          value.length - SingleObjectCodec.HEADER_LENGTH,
                          null));
      ByteBuffer encoded =
          new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v.writer()).encode(asReleased);
      value = new byte[encoded.remaining()];
      encoded.get(value);
    }
    assertThat(value[0]).isEqualTo((byte) 0xC3);
    assertThat(value[1]).isEqualTo((byte) 0x01);
    byte[] fingerprint = new byte[8];
    System.arraycopy(value, 2, fingerprint, 0, 8);
    return fingerprint;
  }
}
