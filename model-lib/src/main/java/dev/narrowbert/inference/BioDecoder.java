package dev.narrowbert.inference;

import dev.narrowbert.tokenizer.Encoding;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns per-word BIO tags (predicted on each word's first sub-token) into character spans. A span
 * starts at {@code B-X}, or at an {@code I-X} that does not continue an {@code X} span (the lenient
 * reading of conlleval), and extends over following {@code I-X} words. Its end is the end offset of
 * the last sub-token of its last word.
 */
public final class BioDecoder {

  private final List<String> labels;

  public BioDecoder(List<String> labels) {
    this.labels = List.copyOf(labels);
  }

  /**
   * @param encoding the review's tokens
   * @param firstSubTokens position of each word's first sub-token (the NER queries), in order
   * @param tags predicted tag id per word
   * @param scores probability of the predicted tag per word
   */
  public List<Entity> decode(Encoding encoding, int[] firstSubTokens, int[] tags, float[] scores) {
    List<Entity> entities = new ArrayList<>();
    int spanStart = -1;
    String spanType = null;
    for (int w = 0; w <= firstSubTokens.length; w++) {
      String tag = w < firstSubTokens.length ? labels.get(tags[w]) : "O";
      String type = tag.equals("O") ? null : tag.substring(2);
      boolean continues = tag.startsWith("I-") && type.equals(spanType);
      if (spanType != null && !continues) {
        entities.add(entity(encoding, firstSubTokens, scores, spanStart, w, spanType));
        spanType = null;
      }
      if (type != null && !continues) {
        spanStart = w;
        spanType = type;
      }
    }
    return entities;
  }

  private static Entity entity(
      Encoding encoding,
      int[] firstSubTokens,
      float[] scores,
      int fromWord,
      int toWord,
      String type) {
    int start = encoding.starts()[firstSubTokens[fromWord]];
    int end = encoding.ends()[encoding.lastSubTokenOfWord(firstSubTokens[toWord - 1])];
    float score = 0;
    for (int w = fromWord; w < toWord; w++) {
      score += scores[w];
    }
    return new Entity(
        type, encoding.text().substring(start, end), start, end, score / (toWord - fromWord));
  }
}
