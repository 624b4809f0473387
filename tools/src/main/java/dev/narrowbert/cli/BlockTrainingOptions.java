package dev.narrowbert.cli;

import picocli.CommandLine.Option;

/**
 * The options that {@code pretrain} and {@code distill} share: both train on packed corpus blocks
 * with a step schedule, held-out evaluation and exact {@code --resume}. Batch size and learning
 * rate stay with each command, whose defaults differ.
 */
public final class BlockTrainingOptions {

  @Option(names = "--steps", defaultValue = "1000", description = "Total optimisation steps.")
  private long steps;

  @Option(names = "--seq-len", defaultValue = "128", description = "Tokens per block.")
  private int sequenceLength;

  @Option(names = "--warmup-steps", description = "Linear warm-up steps (default: 6%% of --steps).")
  private Long warmupSteps;

  @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay.")
  private float weightDecay;

  @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient-norm clip.")
  private float clip;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the block order, the random positions, dropout and new weights.")
  private long seed;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "200",
      description = "Steps between checkpoints and held-out evaluations.")
  private long checkpointEvery;

  @Option(names = "--held-out-blocks", defaultValue = "64", description = "Evaluation blocks.")
  private int heldOutBlocks;

  @Option(names = "--resume", description = "Continue the run in --out from its checkpoint.")
  private boolean resume;

  @Option(
      names = "--stop-after",
      paramLabel = "STEP",
      description = "Checkpoint and stop after this step; continue later with --resume.")
  private Long stopAfter;

  long steps() {
    return steps;
  }

  int sequenceLength() {
    return sequenceLength;
  }

  /** --warmup-steps, or 6 % of the steps. */
  long warmupSteps() {
    return warmupSteps != null ? warmupSteps : Math.round(steps * 0.06);
  }

  float weightDecay() {
    return weightDecay;
  }

  float clip() {
    return clip;
  }

  long seed() {
    return seed;
  }

  long checkpointEvery() {
    return checkpointEvery;
  }

  int heldOutBlocks() {
    return heldOutBlocks;
  }

  boolean resume() {
    return resume;
  }

  /** The last step to run in this process. */
  long stopAfter() {
    return stopAfter == null ? Long.MAX_VALUE : stopAfter;
  }
}
