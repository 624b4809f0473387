package dev.narrowbert.cli;

import dev.narrowbert.inference.PaddedBatches;
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

  /** {@link PaddedBatches#of} with this command's --batch-size and --max-batch-tokens. */
  <T> List<List<T>> batches(List<T> sorted, ToIntFunction<T> length) {
    return PaddedBatches.of(sorted, length, batchSize, maxBatchTokens);
  }
}
