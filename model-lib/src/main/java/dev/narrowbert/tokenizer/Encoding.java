package dev.narrowbert.tokenizer;

import java.util.Arrays;

/**
 * A tokenised review: {@code [CLS] sub-tokens [SEP]}, possibly truncated.
 *
 * @param text the original text; offsets index into it
 * @param ids token ids, including [CLS] and [SEP]
 * @param starts UTF-16 start offset of each token in {@code text}; 0 for [CLS] and [SEP]
 * @param ends UTF-16 end offset (exclusive) of each token; 0 for [CLS] and [SEP]
 * @param wordIds index of the word each token belongs to; -1 for [CLS] and [SEP]
 * @param truncated true if tokens were dropped to fit the model's maximum length
 */
public record Encoding(
    String text, int[] ids, int[] starts, int[] ends, int[] wordIds, boolean truncated) {

  /** Number of tokens including [CLS] and [SEP]. */
  public int tokenCount() {
    return ids.length;
  }

  /** Positions of the first sub-token of each word, in order: the NER query positions. */
  public int[] firstSubTokenPositions() {
    return java.util.stream.IntStream.range(0, ids.length)
        .filter(t -> wordIds[t] >= 0 && (t == 0 || wordIds[t - 1] != wordIds[t]))
        .toArray();
  }

  /** Position of the last sub-token of the word that starts at {@code firstPosition}. */
  public int lastSubTokenOfWord(int firstPosition) {
    int t = firstPosition;
    while (t + 1 < ids.length && wordIds[t + 1] == wordIds[firstPosition]) {
      t++;
    }
    return t;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Encoding e
        && text.equals(e.text)
        && Arrays.equals(ids, e.ids)
        && Arrays.equals(starts, e.starts)
        && Arrays.equals(ends, e.ends)
        && Arrays.equals(wordIds, e.wordIds)
        && truncated == e.truncated;
  }

  @Override
  public int hashCode() {
    return text.hashCode() * 31 + Arrays.hashCode(ids);
  }

  @Override
  public String toString() {
    return "Encoding" + Arrays.toString(ids) + (truncated ? " (truncated)" : "");
  }
}
