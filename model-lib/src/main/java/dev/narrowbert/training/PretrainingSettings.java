package dev.narrowbert.training;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Hyper-parameters of a masked-LM pretraining run, saved in {@code training-state.json} so that
 * {@code --resume} can refuse settings that would not continue the same run.
 *
 * @param totalSteps optimisation steps of the whole schedule
 * @param batchSize blocks per step
 * @param sequenceLength tokens per block including [CLS] and [SEP]
 * @param learningRate peak AdamW learning rate
 * @param warmupSteps linear warm-up steps
 * @param weightDecay AdamW decoupled weight decay (not on biases and LayerNorm)
 * @param maxGradientNorm global-norm clipping threshold
 * @param maskRate fraction of tokens selected for prediction (0.15 in BERT)
 * @param seed seeds data order, masking and dropout
 * @param heldOutBlocks blocks kept out of training for evaluation
 * @param checkpointEvery steps between checkpoints (and held-out evaluations)
 */
public record PretrainingSettings(
    @JsonProperty("total_steps") long totalSteps,
    @JsonProperty("batch_size") int batchSize,
    @JsonProperty("sequence_length") int sequenceLength,
    @JsonProperty("learning_rate") float learningRate,
    @JsonProperty("warmup_steps") long warmupSteps,
    @JsonProperty("weight_decay") float weightDecay,
    @JsonProperty("max_gradient_norm") float maxGradientNorm,
    @JsonProperty("mask_rate") float maskRate,
    @JsonProperty("seed") long seed,
    @JsonProperty("held_out_blocks") int heldOutBlocks,
    @JsonProperty("checkpoint_every") long checkpointEvery) {

  public PretrainingSettings {
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
  public PretrainingSettings withCheckpointEvery(long every) {
    return new PretrainingSettings(
        totalSteps,
        batchSize,
        sequenceLength,
        learningRate,
        warmupSteps,
        weightDecay,
        maxGradientNorm,
        maskRate,
        seed,
        heldOutBlocks,
        every);
  }
}
