package dev.narrowbert.inference;

import dev.narrowbert.model.EntityGate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where each word's NER output sits among a batch's query slots: slot 0 is [CLS], then the words
 * that are queries, in word order. Without the gate every word is a query ({@code slot = 1 + w});
 * with it, a word the gate keeps out has no slot and is tagged {@code O}.
 */
final class WordSlots {

  private final int[][] slotOfWord;
  private final float[][] gate;
  private final List<int[]> queries;

  private WordSlots(int[][] slotOfWord, float[][] gate, List<int[]> queries) {
    this.slotOfWord = slotOfWord;
    this.gate = gate;
    this.queries = queries;
  }

  /** Every word is a query. */
  static WordSlots ungated(List<int[]> firstSubTokens) {
    int[][] slots = new int[firstSubTokens.size()][];
    for (int b = 0; b < slots.length; b++) {
      slots[b] = new int[firstSubTokens.get(b).length];
      Arrays.setAll(slots[b], w -> EncodedBatch.FIRST_WORD_SLOT + w);
    }
    return new WordSlots(slots, null, List.of());
  }

  /**
   * The words whose gate probability is at least their review's threshold are queries.
   *
   * @param firstSubTokens per review, each word's first sub-token position
   * @param gate per review, each word's gate probability
   * @param thresholds per review, the gate's threshold (it depends on whether the text has case)
   */
  static WordSlots gated(List<int[]> firstSubTokens, float[][] gate, float[] thresholds) {
    int[][] slots = new int[firstSubTokens.size()][];
    List<int[]> queries = new ArrayList<>(slots.length);
    for (int b = 0; b < slots.length; b++) {
      int[] words = firstSubTokens.get(b);
      int[] passing = EntityGate.passing(gate[b], thresholds[b]);
      slots[b] = new int[words.length];
      Arrays.fill(slots[b], -1);
      int[] positions = new int[passing.length + 1];
      positions[EncodedBatch.CLS_SLOT] = 0;
      for (int i = 0; i < passing.length; i++) {
        slots[b][passing[i]] = EncodedBatch.FIRST_WORD_SLOT + i;
        positions[EncodedBatch.FIRST_WORD_SLOT + i] = words[passing[i]];
      }
      queries.add(positions);
    }
    return new WordSlots(slots, gate, queries);
  }

  /** Query slot of word {@code w} of review {@code b}, or -1 if the gate kept it out. */
  int slot(int b, int w) {
    return slotOfWord[b][w];
  }

  /** The gate's probability for word {@code w} of review {@code b} (1 without a gate). */
  float gate(int b, int w) {
    return gate == null ? 1f : gate[b][w];
  }

  /** Per review, the query positions: [CLS], then the words that passed (gated only). */
  List<int[]> queries() {
    return queries;
  }

  long words() {
    return Arrays.stream(slotOfWord).mapToLong(s -> s.length).sum();
  }

  long queried() {
    return Arrays.stream(slotOfWord).flatMapToInt(Arrays::stream).filter(s -> s >= 0).count();
  }
}
