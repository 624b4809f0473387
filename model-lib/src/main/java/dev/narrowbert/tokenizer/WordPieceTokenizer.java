package dev.narrowbert.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT uncased tokeniser: {@link BasicTokenizer}, then greedy longest-match-first WordPiece with
 * {@code ##} continuations (Wu et al., 2016; HF {@code WordpieceTokenizer}). A word longer than 100
 * code points, or one that cannot be covered by vocabulary pieces, becomes a single [UNK].
 *
 * <p>Every token keeps the UTF-16 span of the original text it came from and the index of its word,
 * which the NER head needs to pick first sub-tokens. Truncation to the maximum length (including
 * [CLS] and [SEP]) is explicit: {@link Encoding#truncated()} reports it.
 */
public final class WordPieceTokenizer {

  /** HF's {@code max_input_chars_per_word}. */
  static final int MAX_WORD_LENGTH = 100;

  private final WordPieceVocabulary vocabulary;
  private final int maxLength;
  private final Truncation truncation;

  /**
   * @param maxLength the most tokens an encoding may have, [CLS] and [SEP] included (>= 2)
   */
  public WordPieceTokenizer(WordPieceVocabulary vocabulary, int maxLength) {
    this(vocabulary, maxLength, Truncation.HEAD);
  }

  /**
   * @param maxLength the most tokens an encoding may have, [CLS] and [SEP] included (>= 2)
   * @param truncation which tokens a longer text keeps
   */
  public WordPieceTokenizer(WordPieceVocabulary vocabulary, int maxLength, Truncation truncation) {
    if (maxLength < 2) {
      throw new IllegalArgumentException("maxLength must be >= 2, was " + maxLength);
    }
    this.vocabulary = vocabulary;
    this.maxLength = maxLength;
    this.truncation = truncation;
  }

  public Truncation truncation() {
    return truncation;
  }

  public WordPieceVocabulary vocabulary() {
    return vocabulary;
  }

  public int maxLength() {
    return maxLength;
  }

  /** Tokenises {@code text}; offsets index into {@code text}. */
  public Encoding encode(String text) {
    return encode(text, text);
  }

  /**
   * Tokenises {@code normalised}, a same-length rewrite of {@code original} (e.g. HTML line breaks
   * blanked out), so the offsets also index into {@code original}.
   */
  public Encoding encode(String original, String normalised) {
    if (original.length() != normalised.length()) {
      throw new IllegalArgumentException("normalisation must preserve the text length");
    }
    int budget = maxLength - 2; // without [CLS] and [SEP]
    int head = truncation.headTokens(budget);
    TokenList pieces = new TokenList();
    List<BasicTokenizer.Word> words = BasicTokenizer.split(normalised);
    for (int w = 0; w < words.size(); w++) {
      for (int[] piece : wordPieces(words.get(w))) {
        pieces.add(piece[0], piece[1], piece[2], w);
      }
      if (truncation == Truncation.HEAD && pieces.size > budget) {
        break; // nothing after the head is kept: stop tokenising
      }
    }
    boolean truncated = pieces.size > budget;
    // The tail starts at the first word boundary that leaves at most budget - head pieces.
    int tailStart = pieces.size;
    if (truncated && head < budget) {
      tailStart = pieces.size - (budget - head);
      while (tailStart < pieces.size
          && tailStart > 0
          && pieces.wordIds[tailStart] == pieces.wordIds[tailStart - 1]) {
        tailStart++;
      }
    }
    TokenList tokens = new TokenList();
    tokens.add(vocabulary.clsId(), 0, 0, -1);
    for (int t = 0; t < Math.min(truncated ? head : budget, pieces.size); t++) {
      tokens.add(pieces.ids[t], pieces.starts[t], pieces.ends[t], pieces.wordIds[t]);
    }
    if (truncated) {
      for (int t = tailStart; t < pieces.size; t++) {
        tokens.add(pieces.ids[t], pieces.starts[t], pieces.ends[t], pieces.wordIds[t]);
      }
    }
    tokens.add(vocabulary.sepId(), 0, 0, -1);
    return tokens.toEncoding(original, truncated);
  }

  /** Each piece is {id, start, end}. */
  private List<int[]> wordPieces(BasicTokenizer.Word word) {
    int n = word.length();
    int wordStart = word.starts()[0];
    int wordEnd = word.ends()[n - 1];
    List<int[]> pieces = new ArrayList<>();
    if (n > MAX_WORD_LENGTH) {
      pieces.add(new int[] {vocabulary.unknownId(), wordStart, wordEnd});
      return pieces;
    }
    int start = 0;
    while (start < n) {
      int end = n;
      int id = -1;
      while (start < end) {
        String piece = (start > 0 ? "##" : "") + word.text(start, end);
        id = vocabulary.id(piece);
        if (id >= 0) {
          break;
        }
        end--;
      }
      if (id < 0) {
        return List.of(new int[] {vocabulary.unknownId(), wordStart, wordEnd});
      }
      pieces.add(new int[] {id, word.starts()[start], word.ends()[end - 1]});
      start = end;
    }
    return pieces;
  }

  /** Growable parallel arrays. */
  private static final class TokenList {
    private int[] ids = new int[64];
    private int[] starts = new int[64];
    private int[] ends = new int[64];
    private int[] wordIds = new int[64];
    private int size;

    void add(int id, int start, int end, int wordId) {
      if (size == ids.length) {
        ids = java.util.Arrays.copyOf(ids, size * 2);
        starts = java.util.Arrays.copyOf(starts, size * 2);
        ends = java.util.Arrays.copyOf(ends, size * 2);
        wordIds = java.util.Arrays.copyOf(wordIds, size * 2);
      }
      ids[size] = id;
      starts[size] = start;
      ends[size] = end;
      wordIds[size] = wordId;
      size++;
    }

    Encoding toEncoding(String text, boolean truncated) {
      return new Encoding(
          text,
          java.util.Arrays.copyOf(ids, size),
          java.util.Arrays.copyOf(starts, size),
          java.util.Arrays.copyOf(ends, size),
          java.util.Arrays.copyOf(wordIds, size),
          truncated);
    }
  }
}
