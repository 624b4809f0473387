package dev.narrowbert.inference;

import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A randomly initialised tiny model with a hand-written vocabulary of review words. */
public final class TinyModelDirectory {

  private static final String VOCAB =
      String.join(
              "\n",
              "[PAD]",
              "[UNK]",
              "[CLS]",
              "[SEP]",
              "[MASK]",
              "the",
              "a",
              "movie",
              "film",
              "was",
              "is",
              "great",
              "terrible",
              "good",
              "bad",
              "plot",
              "acting",
              "i",
              "loved",
              "hated",
              "it",
              "and",
              "but",
              "in",
              "paris",
              "london",
              "tom",
              "hanks",
              "meryl",
              "streep",
              "director",
              "by",
              "of",
              "!",
              ",",
              ".",
              "'",
              "s",
              "##s",
              "##ed",
              "##ing",
              "##ly",
              "boring",
              "fun",
              "very",
              "not",
              "story",
              "end",
              "scene",
              "music",
              "to",
              "with",
              "ok")
          + "\n";

  private TinyModelDirectory() {}

  public static WordPieceVocabulary vocabulary() {
    return WordPieceVocabulary.of(VOCAB.getBytes(StandardCharsets.UTF_8));
  }

  /** Odd tiny sizes: hidden 36, 3 heads, FF 37, 16 positions, SparseQueries {@code sf:sf}. */
  public static NarrowBertConfig config() {
    return NarrowBertConfig.of(1, "", 36, 3, 37, "sf:sf", 16);
  }

  public static Path create(Path directory) throws IOException {
    return create(directory, config());
  }

  public static Path create(Path directory, NarrowBertConfig config) throws IOException {
    ModelDirectory.create(config, vocabulary(), 7, directory);
    return directory;
  }
}
