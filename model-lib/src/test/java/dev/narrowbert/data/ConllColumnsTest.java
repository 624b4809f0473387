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

/** Synthetic sentences in the CoNLL-2003 layout (never excerpts of the real corpus). */
class ConllColumnsTest {

  @TempDir Path dir;

  @Test
  void readsSentencesBetweenBlankLinesAndSkipsDocStart() throws IOException {
    Path file =
        write(
            "-DOCSTART- -X- -X- O",
            "",
            "Alice NNP B-NP B-PER",
            "visited VBD B-VP O",
            "New NNP B-NP B-LOC",
            "Hampton NNP I-NP I-LOC",
            "",
            "Bob NNP B-NP B-PER",
            "");
    List<ConllSentence> sentences = new ArrayList<>();

    BadLineReport report = ConllColumns.read(file, sentences::add);

    assertThat(sentences).hasSize(2);
    assertThat(sentences.get(0).words()).containsExactly("Alice", "visited", "New", "Hampton");
    assertThat(sentences.get(0).tags()).containsExactly("B-PER", "O", "B-LOC", "I-LOC");
    assertThat(sentences.get(0).firstLine()).isEqualTo(3);
    assertThat(sentences.get(1).words()).containsExactly("Bob");
    assertThat(report.badLines()).isZero();
  }

  @Test
  void numbersDocumentsByTheDocStartLinesAboveThem() throws IOException {
    Path file =
        write(
            "-DOCSTART- -X- -X- O",
            "",
            "Alice NNP B-NP B-PER",
            "",
            "Bob NNP B-NP B-PER",
            "",
            "-DOCSTART- -X- -X- O",
            "",
            "Carol NNP B-NP B-PER",
            "-DOCSTART- -X- -X- O",
            "Dave NNP B-NP B-PER");
    List<ConllSentence> sentences = new ArrayList<>();

    ConllColumns.read(file, sentences::add);

    assertThat(sentences).extracting(ConllSentence::document).containsExactly(1, 1, 2, 3);
    assertThat(sentences.get(0).sameDocument(sentences.get(1))).isTrue();
    assertThat(sentences.get(1).sameDocument(sentences.get(2))).isFalse();
    assertThat(sentences)
        .extracting(s -> s.words().get(0))
        .containsExactly("Alice", "Bob", "Carol", "Dave");
  }

  @Test
  void readsAFileWithoutDocStartAsOneDocument() throws IOException {
    Path file = write("Alice NNP B-NP B-PER", "", "Bob NNP B-NP B-PER", "", "Carol NNP B-NP B-PER");
    List<ConllSentence> sentences = new ArrayList<>();

    ConllColumns.read(file, sentences::add);

    assertThat(sentences).extracting(ConllSentence::document).containsExactly(0, 0, 0);
  }

  @Test
  void dropsASentenceWithABadLineAndReportsTheLine() throws IOException {
    Path file =
        write(
            "Alice NNP B-NP B-PER",
            "",
            "Carol NNP B-NP B-PERSON-X1",
            "sang VBD B-VP O",
            "",
            "lonely",
            "",
            "Dave NNP B-NP B-PER",
            "ran VBD B-VP O");
    List<ConllSentence> sentences = new ArrayList<>();

    BadLineReport report = ConllColumns.read(file, sentences::add);

    assertThat(sentences).extracting(s -> s.words().get(0)).containsExactly("Alice", "Dave");
    assertThat(report.quotedBadLines())
        .containsExactly(
            "line 3: 'B-PERSON-X1' is not an IOB2 tag",
            "line 6: expected 'token POS chunk NER' columns");
  }

  @Test
  void refusesAFileThatIsNotInColumnFormat() throws IOException {
    Path file = write("{\"text\": \"a review\"}", "{\"text\": \"another\"}");

    assertThatThrownBy(() -> ConllColumns.read(file, s -> {}))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("mostly unreadable");
  }

  private Path write(String... lines) throws IOException {
    return Files.write(dir.resolve("ner.txt"), List.of(lines));
  }
}
