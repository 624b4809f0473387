package dev.narrowbert.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps our Kafka contracts stable: every released version of each schema (under {@code
 * src/main/resources/dev/narrowbert/schema/released/NAME/vN.avsc}, shipped in the jar) must stay
 * both backward compatible (the current schema reads data written with it) and forward compatible
 * (it reads data written with the current schema). When you release a schema change, add it as the
 * next vN.avsc.
 */
class SchemaCompatibilityTest {

  private static final List<Schema> CURRENT =
      List.of(
          Review.getClassSchema(), ReviewAnalysis.getClassSchema(), DeadLetter.getClassSchema());

  static Stream<Arguments> releasedVersions() throws IOException, URISyntaxException {
    Stream.Builder<Arguments> versions = Stream.builder();
    for (Schema current : CURRENT) {
      for (Path file : releasedFiles(current)) {
        versions.add(Arguments.of(current, file.getFileName().toString(), file));
      }
    }
    return versions.build();
  }

  @ParameterizedTest(name = "{0} reads data written by released {1}")
  @MethodSource("releasedVersions")
  void currentSchemaIsBackwardCompatibleWithReleasedVersion(
      Schema current, String version, Path file) throws IOException {
    Schema released = new Schema.Parser().parse(file.toFile());
    assertThat(released.getFullName()).isEqualTo(current.getFullName());
    assertCompatible(current, released);
  }

  @ParameterizedTest(name = "released {1} reads data written by {0}")
  @MethodSource("releasedVersions")
  void currentSchemaIsForwardCompatibleWithReleasedVersion(
      Schema current, String version, Path file) throws IOException {
    Schema released = new Schema.Parser().parse(file.toFile());
    assertCompatible(released, current);
  }

  @Test
  void everySchemaHasAReleasedVersion() throws Exception {
    for (Schema current : CURRENT) {
      assertThat(releasedFiles(current))
          .as("released versions of %s", current.getName())
          .isNotEmpty();
    }
  }

  @Test
  void checkCatchesARequiredFieldAddedWithoutDefault() {
    Schema broken =
        new Schema.Parser()
            .parse(
                Review.getClassSchema()
                    .toString()
                    .replace(
                        "\"fields\":[", "\"fields\":[{\"name\":\"tenant\",\"type\":\"string\"},"));
    assertThat(
            SchemaCompatibility.checkReaderWriterCompatibility(broken, Review.getClassSchema())
                .getType())
        .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  @Test
  void everyRecordAndFieldIsDocumented() {
    for (Schema current : CURRENT) {
      assertDocumented(current);
    }
  }

  private static void assertDocumented(Schema schema) {
    switch (schema.getType()) {
      case RECORD -> {
        assertThat(schema.getDoc()).as("doc of record %s", schema.getFullName()).isNotBlank();
        for (Schema.Field field : schema.getFields()) {
          assertThat(field.doc()).as("doc of %s.%s", schema.getName(), field.name()).isNotBlank();
          assertDocumented(field.schema());
        }
      }
      case ENUM -> assertThat(schema.getDoc()).as("doc of enum %s", schema.getName()).isNotBlank();
      case ARRAY -> assertDocumented(schema.getElementType());
      case UNION -> schema.getTypes().forEach(SchemaCompatibilityTest::assertDocumented);
      default -> {}
    }
  }

  private static void assertCompatible(Schema reader, Schema writer) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    assertThat(result.getType())
        .as(
            "reader %s vs writer: %s",
            reader.getFullName(), result.getResult().getIncompatibilities())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  private static List<Path> releasedFiles(Schema current) throws IOException, URISyntaxException {
    Path dir =
        Path.of(SchemaCompatibilityTest.class.getResource("released/" + current.getName()).toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList();
    }
  }
}
