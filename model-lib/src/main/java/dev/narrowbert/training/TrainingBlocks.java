package dev.narrowbert.training;

/**
 * Token blocks a {@link BlockTraining} run learns from, each [CLS] ... [SEP] (padded with [PAD]
 * where its blocks differ in content length), split into training blocks and held-out blocks that
 * are never trained on. {@link PackedBlocks} cut a document stream into windows; {@link
 * ReviewBlocks} hold one document each.
 */
public interface TrainingBlocks {

  int trainingBlocks();

  int heldOutBlocks();

  /** Block {@code index} of all blocks: the training blocks first, then the held-out ones. */
  int[] block(int index);

  /** Training block {@code index} in [0, trainingBlocks). */
  default int[] trainingBlock(int index) {
    return block(index);
  }

  /** Held-out block {@code index} in [0, heldOutBlocks). */
  default int[] heldOutBlock(int index) {
    return block(trainingBlocks() + index);
  }
}
