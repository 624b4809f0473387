package dev.narrowbert.tokenizer;

/**
 * Tokenises reviews for one model: its vocabulary, its maximum length, HTML line breaks blanked
 * out, offsets into the original text. The streaming job tokenises with this before batching (to
 * batch by token count) and hands the encodings to the analyzer, so each review is tokenised once.
 * Built for a model by {@code ModelDirectory.tokenizer}.
 */
public final class ReviewTokenizer {
  private final WordPieceTokenizer tokenizer;

  public ReviewTokenizer(WordPieceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  public Encoding encode(String text) {
    return tokenizer.encode(text, LineBreakTags.blankOut(text));
  }

  public int maxLength() {
    return tokenizer.maxLength();
  }
}
