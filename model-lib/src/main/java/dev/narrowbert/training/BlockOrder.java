package dev.narrowbert.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The order in which a run visits the training blocks of {@link TrainingBlocks}: epoch after epoch,
 * each a permutation of all blocks seeded by (seed, epoch) (a Fisher-Yates shuffle). Step {@code s}
 * of batch size B takes global indices {@code s*B .. s*B+B-1}, so a batch is a pure function of
 * (seed, step): a resumed run sees exactly the batches an uninterrupted one would have seen. Shared
 * by masked-LM pretraining and distillation.
 */
public final class BlockOrder {

  private final TrainingBlocks blocks;
  private final long seed;
  private int cachedEpoch = -1;
  private int[] cachedOrder;

  public BlockOrder(TrainingBlocks blocks, long seed) {
    this.blocks = blocks;
    this.seed = seed;
  }

  /** The training blocks of step {@code step} (0-based), {@code batchSize} of them. */
  public List<int[]> batch(long step, int batchSize) {
    List<int[]> batch = new ArrayList<>(batchSize);
    int n = blocks.trainingBlocks();
    for (int i = 0; i < batchSize; i++) {
      long global = step * batchSize + i;
      int[] order = order((int) (global / n));
      batch.add(blocks.trainingBlock(order[(int) (global % n)]));
    }
    return batch;
  }

  /** The permutation of epoch {@code epoch}; the current epoch's is kept. */
  private int[] order(int epoch) {
    if (epoch != cachedEpoch) {
      int n = blocks.trainingBlocks();
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Random random = new Random(seed * 31L + epoch);
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      cachedEpoch = epoch;
      cachedOrder = order;
    }
    return cachedOrder;
  }
}
