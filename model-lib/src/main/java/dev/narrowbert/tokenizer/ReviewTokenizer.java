package dev.narrowbert.tokenizer;

import dev.narrowbert.model.ModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Tokenises reviews for one model: its vocabulary, its maximum length, HTML line breaks blanked
 * out, offsets into the original text. The streaming job tokenises with this before batching (to
 * batch by token count) and hands the encodings to the analyzer, so each review is tokenised once.
 */
public final class ReviewTokenizer {
  private final WordPieceTokenizer tokenizer;

  public ReviewTokenizer(WordPieceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Reads only the vocabulary and config of a model directory, not its weights. */
  public static ReviewTokenizer forModel(Path modelDirectory) throws IOException {
    NarrowBertConfig config =
        NarrowBertConfig.load(modelDirectory.resolve(ModelDirectory.CONFIG_FILE));
    WordPieceVocabulary vocabulary =
        WordPieceVocabulary.load(modelDirectory.resolve(ModelDirectory.VOCAB_FILE));
    return new ReviewTokenizer(
        new WordPieceTokenizer(vocabulary, config.maxPositionEmbeddings(), config.truncation()));
  }

  public Encoding encode(String text) {
    return tokenizer.encode(text, LineBreakTags.blankOut(text));
  }

  public int maxLength() {
    return tokenizer.maxLength();
  }
}
