package dev.narrowbert.training;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The settings every {@link BlockTraining} run has, whatever its objective: the step schedule of
 * {@link WarmupLinearDecay}, AdamW's weight decay, gradient clipping, the seed, the held-out blocks
 * and the checkpoint interval. {@link PretrainingSettings} and {@link DistillationSettings} embed
 * it unwrapped, so {@code training-state.json} keeps the flat layout it had before the two loops
 * were merged.
 *
 * @param totalSteps optimisation steps of the whole schedule
 * @param batchSize blocks per step
 * @param sequenceLength tokens per block including [CLS] and [SEP]
 * @param learningRate peak AdamW learning rate
 * @param warmupSteps linear warm-up steps
 * @param weightDecay AdamW decoupled weight decay (not on biases and LayerNorm)
 * @param maxGradientNorm global-norm clipping threshold
 * @param seed seeds data order, random positions and dropout
 * @param heldOutBlocks blocks kept out of training for evaluation
 * @param checkpointEvery steps between checkpoints (and held-out evaluations)
 */
public record BlockSchedule(
    @JsonProperty("total_steps") long totalSteps,
    @JsonProperty("batch_size") int batchSize,
    @JsonProperty("sequence_length") int sequenceLength,
    @JsonProperty("learning_rate") float learningRate,
    @JsonProperty("warmup_steps") long warmupSteps,
    @JsonProperty("weight_decay") float weightDecay,
    @JsonProperty("max_gradient_norm") float maxGradientNorm,
    @JsonProperty("seed") long seed,
    @JsonProperty("held_out_blocks") int heldOutBlocks,
    @JsonProperty("checkpoint_every") long checkpointEvery) {

  public BlockSchedule {
    if (totalSteps < 1
        || batchSize < 1
        || sequenceLength < 3
        || heldOutBlocks < 1
        || checkpointEvery < 1) {
      throw new IllegalArgumentException(
          "steps, batch size, held-out blocks and checkpoint interval must be >= 1 and"
              + " sequence length >= 3");
    }
  }

  /** The same run with another checkpoint interval, which does not change the trajectory. */
  public BlockSchedule withCheckpointEvery(long every) {
    return new BlockSchedule(
        totalSteps,
        batchSize,
        sequenceLength,
        learningRate,
        warmupSteps,
        weightDecay,
        maxGradientNorm,
        seed,
        heldOutBlocks,
        every);
  }

  /** The learning rate of every step: warm-up (at most the whole run), then linear decay. */
  public WarmupLinearDecay learningRates() {
    return new WarmupLinearDecay(learningRate, Math.min(warmupSteps, totalSteps), totalSteps);
  }
}
