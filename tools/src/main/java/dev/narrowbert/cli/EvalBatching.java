package dev.narrowbert.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * How {@code narrowbert eval} forms batches: it reads {@link #CHUNK} examples, sorts them by length
 * and cuts them into runs of at most {@code batchSize} examples whose padded size stays within
 * {@code maxBatchTokens}, so that short examples are not padded to long ones.
 */
record EvalBatching(int batchSize, int maxBatchTokens) {

  /** Examples read before they are sorted and batched. */
  static final int CHUNK = 1024;

  /**
   * Consecutive runs of {@code sorted} (shortest first) of at most --batch-size items whose padded
   * size, items x longest, stays within --max-batch-tokens (one item always forms a batch).
   */
  <T> List<List<T>> batches(List<T> sorted, ToIntFunction<T> length) {
    List<List<T>> batches = new ArrayList<>();
    int from = 0;
    while (from < sorted.size()) {
      int to = from + 1;
      while (to < sorted.size()
          && to - from < batchSize
          && (long) (to - from + 1) * length.applyAsInt(sorted.get(to)) <= maxBatchTokens) {
        to++;
      }
      batches.add(sorted.subList(from, to));
      from = to;
    }
    return batches;
  }
}
