package dev.narrowbert.training;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a {@link Distillation} run is, saved in {@code training-state.json} so that {@code --resume}
 * can refuse a command line that would not continue the same run: the hyper-parameters, and which
 * teacher and student stack the run distils between.
 *
 * @param totalSteps optimisation steps of the whole schedule
 * @param batchSize blocks per step
 * @param sequenceLength tokens per block including [CLS] and [SEP]
 * @param learningRate peak AdamW learning rate
 * @param warmupSteps linear warm-up steps
 * @param weightDecay AdamW decoupled weight decay (not on biases and LayerNorm)
 * @param maxGradientNorm global-norm clipping threshold
 * @param queryRate share of ordinary positions compared besides [CLS]
 * @param seed seeds data order, query positions and dropout
 * @param heldOutBlocks blocks kept out of training for evaluation
 * @param checkpointEvery steps between checkpoints (and held-out evaluations)
 * @param teacher SHA-256 of the teacher's {@code model.params}: the teacher must not change
 * @param studentStack the student's layer stack
 */
public record DistillationSettings(
    @JsonProperty("total_steps") long totalSteps,
    @JsonProperty("batch_size") int batchSize,
    @JsonProperty("sequence_length") int sequenceLength,
    @JsonProperty("learning_rate") float learningRate,
    @JsonProperty("warmup_steps") long warmupSteps,
    @JsonProperty("weight_decay") float weightDecay,
    @JsonProperty("max_gradient_norm") float maxGradientNorm,
    @JsonProperty("query_rate") float queryRate,
    @JsonProperty("seed") long seed,
    @JsonProperty("held_out_blocks") int heldOutBlocks,
    @JsonProperty("checkpoint_every") long checkpointEvery,
    @JsonProperty("teacher_params_sha256") String teacher,
    @JsonProperty("student_layer_stack") String studentStack) {

  public DistillationSettings {
    if (totalSteps < 1
        || batchSize < 1
        || sequenceLength < 3
        || heldOutBlocks < 1
        || checkpointEvery < 1) {
      throw new IllegalArgumentException(
          "steps, batch size, held-out blocks and checkpoint interval must be >= 1 and"
              + " sequence length >= 3");
    }
    if (!(queryRate >= 0 && queryRate <= 1)) {
      throw new IllegalArgumentException("query rate must be in [0, 1], was " + queryRate);
    }
  }

  /** True if a run with {@code other} continues this run: all but the checkpoint interval agree. */
  public boolean continues(DistillationSettings other) {
    return withCheckpointEvery(1).equals(other.withCheckpointEvery(1));
  }

  private DistillationSettings withCheckpointEvery(long every) {
    return new DistillationSettings(
        totalSteps,
        batchSize,
        sequenceLength,
        learningRate,
        warmupSteps,
        weightDecay,
        maxGradientNorm,
        queryRate,
        seed,
        heldOutBlocks,
        every,
        teacher,
        studentStack);
  }
}
