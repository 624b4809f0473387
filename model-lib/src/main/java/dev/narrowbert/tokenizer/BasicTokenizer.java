package dev.narrowbert.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BERT's basic (pre-WordPiece) tokenisation for uncased models, as {@code BasicTokenizer} in HF
 * {@code tokenization_bert.py}: drop NUL, U+FFFD and control/format characters; treat whitespace as
 * a separator; put every CJK ideograph in its own word; lower-case; strip accents (NFD, drop
 * non-spacing marks); split punctuation into one-character words.
 *
 * <p>Unlike the Python original, every character of a word remembers the UTF-16 span of the
 * original character it came from, so sub-tokens can be mapped back to the original text.
 */
public final class BasicTokenizer {

  /**
   * One pre-token.
   *
   * @param codePoints normalised text, one code point per entry
   * @param starts original UTF-16 start of each code point's source character
   * @param ends original UTF-16 end (exclusive) of each code point's source character
   */
  public record Word(int[] codePoints, int[] starts, int[] ends) {

    public int length() {
      return codePoints.length;
    }

    /** The normalised text of code points [from, to). */
    public String text(int from, int to) {
      return new String(codePoints, from, to - from);
    }
  }

  private BasicTokenizer() {}

  /** Splits {@code text} into normalised words with offsets into {@code text}. */
  public static List<Word> split(String text) {
    List<Word> words = new ArrayList<>();
    WordBuilder current = new WordBuilder();
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int end = i + Character.charCount(cp);
      if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
        // Removed without splitting the word, as HF's _clean_text.
      } else if (isWhitespace(cp)) {
        current.flushTo(words);
      } else if (isCjk(cp)) {
        current.flushTo(words);
        words.add(single(cp, i, end));
      } else {
        String normalised = normalise(cp);
        for (int k = 0; k < normalised.length(); ) {
          int c = normalised.codePointAt(k);
          k += Character.charCount(c);
          if (isPunctuation(c)) {
            current.flushTo(words);
            words.add(single(c, i, end));
          } else {
            current.add(c, i, end);
          }
        }
      }
      i = end;
    }
    current.flushTo(words);
    return words;
  }

  /** Lower-case, then NFD and drop non-spacing marks (accents). */
  private static String normalise(int cp) {
    String lower = new String(Character.toChars(cp)).toLowerCase(Locale.ROOT);
    String decomposed = Normalizer.normalize(lower, Normalizer.Form.NFD);
    StringBuilder kept = new StringBuilder(decomposed.length());
    decomposed
        .codePoints()
        .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
        .forEach(kept::appendCodePoint);
    return kept.toString();
  }

  private static Word single(int cp, int start, int end) {
    return new Word(new int[] {cp}, new int[] {start}, new int[] {end});
  }

  static boolean isWhitespace(int cp) {
    return cp == ' '
        || cp == '\t'
        || cp == '\n'
        || cp == '\r'
        || Character.getType(cp) == Character.SPACE_SEPARATOR;
  }

  /** HF treats every "C*" category as control, except the whitespace characters above. */
  static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    int type = Character.getType(cp);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.UNASSIGNED
        || type == Character.PRIVATE_USE
        || type == Character.SURROGATE;
  }

  /** ASCII non-alphanumerics count as punctuation (as in BERT), plus every "P*" category. */
  static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)) {
      return true;
    }
    if (cp >= 123 && cp <= 126) {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION,
          Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION,
          Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION ->
          true;
      default -> false;
    };
  }

  /** The CJK Unified Ideographs blocks that BERT pads with spaces. */
  static boolean isCjk(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  /** Accumulates the code points of the current word. */
  private static final class WordBuilder {
    private int[] codePoints = new int[16];
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private int size;

    void add(int cp, int start, int end) {
      if (size == codePoints.length) {
        codePoints = java.util.Arrays.copyOf(codePoints, size * 2);
        starts = java.util.Arrays.copyOf(starts, size * 2);
        ends = java.util.Arrays.copyOf(ends, size * 2);
      }
      codePoints[size] = cp;
      starts[size] = start;
      ends[size] = end;
      size++;
    }

    void flushTo(List<Word> words) {
      if (size > 0) {
        words.add(
            new Word(
                java.util.Arrays.copyOf(codePoints, size),
                java.util.Arrays.copyOf(starts, size),
                java.util.Arrays.copyOf(ends, size)));
        size = 0;
      }
    }
  }
}
