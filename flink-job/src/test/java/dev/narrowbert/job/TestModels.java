package dev.narrowbert.job;

import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real, randomly initialised tiny model directory (BERT vocabulary), made once per JVM. */
public final class TestModels {
  private static Path tiny;

  private TestModels() {}

  public static synchronized Path tiny() {
    if (tiny == null) {
      try {
        Path dir = Files.createTempDirectory("tiny-model-");
        WordPieceVocabulary vocabulary = WordPieceVocabulary.bertBaseUncased();
        ModelDirectory.create(
            NarrowBertConfig.preset("tiny", vocabulary.size(), vocabulary.sha256()),
            vocabulary,
            7,
            dir);
        tiny = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return tiny;
  }
}
