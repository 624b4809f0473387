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

  /** Training block {@code index} in [0, trainingBlocks). */
  int[] trainingBlock(int index);

  /** Held-out block {@code index} in [0, heldOutBlocks). */
  int[] heldOutBlock(int index);
}
