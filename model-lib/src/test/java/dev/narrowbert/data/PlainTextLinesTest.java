package dev.narrowbert.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainTextLinesTest {

  @TempDir Path dir;

  @Test
  void readsOneDocumentPerNonBlankLineAndReportsBinaryLines() throws IOException {
    Path file =
        Files.write(
            dir.resolve("corpus.txt"),
            List.of("first document<br>with a break", "", "bin\u0000ary", "second", "third"));
    List<String> documents = new ArrayList<>();

    BadLineReport report = CorpusDocuments.read(file, documents::add);

    assertThat(documents).containsExactly("first document with a break", "second", "third");
    assertThat(report.quotedBadLines())
        .containsExactly("line 3: binary content (control characters)");
  }

  @Test
  void readsReviewTextsFromJsonLinesCorpora() throws IOException {
    Path file =
        Files.write(
            dir.resolve("corpus.jsonl"),
            List.of("{\"text\": \"a<br />b\", \"label\": null}", "{\"text\": \"c\"}"));
    List<String> documents = new ArrayList<>();

    CorpusDocuments.read(file, documents::add);

    assertThat(documents).containsExactly("a b", "c");
  }
}
