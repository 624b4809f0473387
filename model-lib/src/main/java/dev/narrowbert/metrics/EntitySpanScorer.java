package dev.narrowbert.metrics;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Entity-level scoring as the CoNLL-2000/2003 {@code conlleval} script: a predicted entity counts
 * only if its span and type both equal a gold entity's. Chunks are read from BIO tags with
 * conlleval's rules, so an {@code I-X} after {@code O} or after another type starts a new chunk.
 * Precision = correct / predicted entities, recall = correct / gold entities.
 */
public final class EntitySpanScorer {

  /** An entity: words [start, end) of one sentence, with its type. */
  record Span(int start, int end, String type) {}

  private long sentences;
  private long tokens;
  private long correctTokens;
  private final Map<String, long[]> byType = new TreeMap<>(); // type -> {correct, predicted, gold}

  /** Adds one sentence's gold and predicted tags (same length). */
  public void add(List<String> gold, List<String> predicted) {
    if (gold.size() != predicted.size()) {
      throw new IllegalArgumentException("gold and predicted tag counts differ");
    }
    sentences++;
    for (int i = 0; i < gold.size(); i++) {
      tokens++;
      correctTokens += gold.get(i).equals(predicted.get(i)) ? 1 : 0;
    }
    Set<Span> goldSpans = spans(gold);
    Set<Span> predictedSpans = spans(predicted);
    for (Span span : goldSpans) {
      counts(span.type())[2]++;
    }
    for (Span span : predictedSpans) {
      counts(span.type())[1]++;
      if (goldSpans.contains(span)) {
        counts(span.type())[0]++;
      }
    }
  }

  private long[] counts(String type) {
    return byType.computeIfAbsent(type, t -> new long[3]);
  }

  public long sentences() {
    return sentences;
  }

  /** Fraction of tokens whose tag is exactly right (conlleval's "accuracy"). */
  public double tokenAccuracy() {
    return tokens == 0 ? 0 : (double) correctTokens / tokens;
  }

  /** Micro-averaged over all entity types. */
  public F1 overall() {
    long[] sum = new long[3];
    for (long[] c : byType.values()) {
      for (int i = 0; i < 3; i++) {
        sum[i] += c[i];
      }
    }
    return F1.from(sum[0], sum[1], sum[2]);
  }

  /** Per entity type, sorted by name. */
  public Map<String, F1> perType() {
    Map<String, F1> result = new TreeMap<>();
    byType.forEach((type, c) -> result.put(type, F1.from(c[0], c[1], c[2])));
    return result;
  }

  static Set<Span> spans(List<String> tags) {
    Set<Span> spans = new HashSet<>();
    String previousTag = "O";
    String previousType = "";
    int start = -1;
    for (int i = 0; i <= tags.size(); i++) {
      String tag = i < tags.size() ? tags.get(i) : "O";
      String prefix = tag.equals("O") ? "O" : tag.substring(0, 1);
      String type = tag.equals("O") ? "" : tag.substring(2);
      String previousPrefix = previousTag.equals("O") ? "O" : previousTag.substring(0, 1);
      if (start >= 0 && endsChunk(previousPrefix, prefix, previousType, type)) {
        spans.add(new Span(start, i, previousType));
        start = -1;
      }
      if (startsChunk(previousPrefix, prefix, previousType, type)) {
        start = i;
      }
      previousTag = tag;
      previousType = type;
    }
    return spans;
  }

  /** conlleval's endOfChunk for IOB tags. */
  private static boolean endsChunk(String prevTag, String tag, String prevType, String type) {
    return (prevTag.equals("B") && (tag.equals("B") || tag.equals("O")))
        || (prevTag.equals("I") && (tag.equals("B") || tag.equals("O")))
        || (!prevTag.equals("O") && !prevType.equals(type));
  }

  /** conlleval's startOfChunk for IOB tags. */
  private static boolean startsChunk(String prevTag, String tag, String prevType, String type) {
    return (tag.equals("B"))
        || (prevTag.equals("O") && tag.equals("I"))
        || (!tag.equals("O") && !prevType.equals(type));
  }
}
