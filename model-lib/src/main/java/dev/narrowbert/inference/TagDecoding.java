package dev.narrowbert.inference;

import java.util.List;
import java.util.Locale;

/**
 * How a sentence's tags are chosen from each word's tag probabilities.
 *
 * <ul>
 *   <li>{@link #ARGMAX}: each word's most probable tag, on its own. A sequence can then be invalid
 *       BIO ({@code O I-PER}, {@code B-ORG I-LOC}), which the span reading makes into extra or
 *       split entities.
 *   <li>{@link #BIO}: the most probable tag sequence that is valid BIO (IOB2: {@code I-X} only
 *       after {@code B-X} or {@code I-X}), found by Viterbi over the words' log-probabilities with
 *       the other transitions forbidden, as AllenNLP's {@code allowed_transitions} does for a
 *       tagger without a CRF. The words' probabilities stay independent; only invalid sequences are
 *       ruled out.
 * </ul>
 */
public enum TagDecoding {
  ARGMAX,
  BIO;

  private static final double IMPOSSIBLE = Double.NEGATIVE_INFINITY;

  /** {@code argmax} or {@code bio}. */
  public static TagDecoding fromJson(String value) {
    for (TagDecoding decoding : values()) {
      if (decoding.json().equals(value)) {
        return decoding;
      }
    }
    throw new IllegalArgumentException("tag-decoding must be argmax or bio, was " + value);
  }

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Tag ids for one sentence.
   *
   * @param labels tag names, e.g. {@code O, B-PER, I-PER, ...}
   * @param probabilities per word, the probability of each tag; a null row is a word tagged {@code
   *     O} for certain (not queried: gated out or lost to truncation)
   */
  public int[] decode(List<String> labels, float[][] probabilities) {
    int outside = labels.indexOf("O");
    return this == ARGMAX
        ? argmax(probabilities, outside)
        : viterbi(labels, probabilities, outside);
  }

  private static int[] argmax(float[][] probabilities, int outside) {
    int[] tags = new int[probabilities.length];
    for (int w = 0; w < tags.length; w++) {
      float[] row = probabilities[w];
      if (row == null) {
        tags[w] = outside;
        continue;
      }
      for (int t = 1; t < row.length; t++) {
        tags[w] = row[t] > row[tags[w]] ? t : tags[w];
      }
    }
    return tags;
  }

  private static int[] viterbi(List<String> labels, float[][] probabilities, int outside) {
    int words = probabilities.length;
    int tags = labels.size();
    if (words == 0) {
      return new int[0];
    }
    boolean[][] allowed = allowedTransitions(labels);
    double[] score = new double[tags];
    int[][] back = new int[words][tags];
    for (int t = 0; t < tags; t++) {
      score[t] =
          labels.get(t).startsWith("I-")
              ? IMPOSSIBLE
              : logProbability(probabilities[0], t, outside);
    }
    for (int w = 1; w < words; w++) {
      double[] next = new double[tags];
      for (int t = 0; t < tags; t++) {
        double emission = logProbability(probabilities[w], t, outside);
        double best = IMPOSSIBLE;
        int from = outside;
        for (int p = 0; p < tags; p++) {
          if (allowed[p][t] && score[p] > best) {
            best = score[p];
            from = p;
          }
        }
        next[t] = best + emission;
        back[w][t] = from;
      }
      score = next;
    }
    int last = 0;
    for (int t = 1; t < tags; t++) {
      last = score[t] > score[last] ? t : last;
    }
    int[] path = new int[words];
    path[words - 1] = last;
    for (int w = words - 1; w > 0; w--) {
      path[w - 1] = back[w][path[w]];
    }
    return path;
  }

  /** log p(tag) of a word; a null row is O with probability 1. */
  private static double logProbability(float[] row, int tag, int outside) {
    if (row == null) {
      return tag == outside ? 0 : IMPOSSIBLE;
    }
    return Math.log(Math.max(row[tag], 1e-30));
  }

  /** allowed[p][t]: whether tag t may follow tag p in IOB2. */
  private static boolean[][] allowedTransitions(List<String> labels) {
    int tags = labels.size();
    boolean[][] allowed = new boolean[tags][tags];
    for (int p = 0; p < tags; p++) {
      String previous = labels.get(p);
      for (int t = 0; t < tags; t++) {
        String tag = labels.get(t);
        allowed[p][t] =
            !tag.startsWith("I-")
                || (!previous.equals("O") && previous.substring(2).equals(tag.substring(2)));
      }
    }
    return allowed;
  }
}
