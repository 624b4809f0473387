package dev.narrowbert.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Cuts texts sorted by length into batches for {@link ReviewAnalyzer#analyzeEncoded}: runs of at
 * most {@code maxBatchSize} texts whose padded size (texts x longest) stays within {@code
 * maxBatchTokens}, the budget the streaming job's batcher keeps. A count alone is not enough: with
 * 512 positions, 64 long reviews make attention tensors (heads x length^2 per review) that no
 * longer fit the caches, and the batch runs slower per review than one review at a time.
 */
public final class PaddedBatches {
  private PaddedBatches() {}

  /**
   * Consecutive runs of {@code sorted} (shortest first), each of at most {@code maxBatchSize} items
   * whose count times the run's last (longest) length stays within {@code maxBatchTokens}. One item
   * always forms a batch, however long.
   */
  public static <T> List<List<T>> of(
      List<T> sorted, ToIntFunction<T> length, int maxBatchSize, int maxBatchTokens) {
    if (maxBatchSize < 1 || maxBatchTokens < 1) {
      throw new IllegalArgumentException(
          "batch size and tokens must be >= 1, got " + maxBatchSize + " and " + maxBatchTokens);
    }
    List<List<T>> batches = new ArrayList<>();
    int from = 0;
    while (from < sorted.size()) {
      int to = from + 1;
      while (to < sorted.size()
          && to - from < maxBatchSize
          && (long) (to - from + 1) * length.applyAsInt(sorted.get(to)) <= maxBatchTokens) {
        to++;
      }
      batches.add(sorted.subList(from, to));
      from = to;
    }
    return batches;
  }
}
