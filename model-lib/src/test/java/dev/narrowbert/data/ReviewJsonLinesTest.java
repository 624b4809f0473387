package dev.narrowbert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewJsonLinesTest {

  @TempDir Path dir;

  @Test
  void readsTextLabelAndIdAndReplacesLineBreaksWithSpaces() throws IOException {
    Path file =
        write(
            "{\"id\": 7, \"label\": 1, \"text\": \"Great.<br /><br/>Loved it\"}",
            "",
            "{\"review_id\": \"r-2\", \"label\": null, \"text\": \"no label\"}",
            "{\"text\": \"neither\"}");
    List<Review> reviews = new ArrayList<>();

    BadLineReport report = ReviewJsonLines.read(file, reviews::add);

    assertThat(reviews)
        .containsExactly(
            new Review("7", "Great.  Loved it", 1),
            new Review("r-2", "no label", null),
            new Review(null, "neither", null));
    assertThat(report.badLines()).isZero();
  }

  @Test
  void countsBadLinesWithTheirLineNumbersAndKeepsTheRest() throws IOException {
    Path file =
        write(
            "{\"label\": 0, \"text\": \"fine\"}",
            "{not json",
            "{\"label\": 0, \"text\": \"fine too\"}",
            "{\"label\": 3, \"text\": \"bad label\"}",
            "[1, 2]",
            "{\"label\": 1, \"text\": \"ok\"}",
            "{\"label\": 1, \"text\": \"ok\"}",
            "{\"label\": 1}");
    List<Review> reviews = new ArrayList<>();

    BadLineReport report = ReviewJsonLines.read(file, reviews::add);

    assertThat(reviews).hasSize(4);
    assertThat(report.badLines()).isEqualTo(4);
    assertThat(report.quotedBadLines())
        .containsExactly(
            "line 2: not JSON",
            "line 4: label must be 0, 1 or null, was 3",
            "line 5: not a JSON object",
            "line 8: no string field 'text'");
    assertThat(report.summary()).contains("4 of 8 lines skipped").contains("line 2: not JSON");
  }

  @Test
  void stopsOnAFileThatIsMostlyBadNamingIt() throws IOException {
    Path file = write("token O", "other O", "{\"text\": \"the only review\"}");

    assertThatThrownBy(() -> ReviewJsonLines.read(file, review -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("2 of its first 3 lines are bad");
  }

  private Path write(String... lines) throws IOException {
    return Files.write(dir.resolve("reviews.jsonl"), List.of(lines));
  }
}
