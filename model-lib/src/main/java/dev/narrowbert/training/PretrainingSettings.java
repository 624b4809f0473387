package dev.narrowbert.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * Hyper-parameters of a masked-LM pretraining run ({@link MaskedLmPretraining}), saved in {@code
 * training-state.json} so that {@code --resume} can refuse settings that would not continue the
 * same run.
 *
 * @param schedule steps, batches, optimiser, seed, held-out blocks and checkpoints
 * @param maskRate fraction of tokens selected for prediction (0.15 in BERT)
 */
public record PretrainingSettings(
    @JsonUnwrapped BlockSchedule schedule, @JsonProperty("mask_rate") float maskRate)
    implements BlockSettings<PretrainingSettings> {

  public PretrainingSettings {
    if (schedule == null) {
      throw new IllegalArgumentException("pretraining settings need a schedule");
    }
  }

  @Override
  public boolean continues(PretrainingSettings other) {
    return withCheckpointEvery(1).equals(other.withCheckpointEvery(1));
  }

  /** The same run with another checkpoint interval, which does not change the trajectory. */
  public PretrainingSettings withCheckpointEvery(long every) {
    return new PretrainingSettings(schedule.withCheckpointEvery(every), maskRate);
  }
}
