package dev.narrowbert.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * What a {@link Distillation} run is, saved in {@code training-state.json} so that {@code --resume}
 * can refuse a command line that would not continue the same run: the hyper-parameters, which
 * teacher and student stack the run distils between, and what it matches.
 *
 * @param schedule steps, batches, optimiser, seed, held-out blocks and checkpoints
 * @param queryRate share of ordinary positions compared besides [CLS]
 * @param teacher SHA-256 of the teacher's {@code model.params}: the teacher must not change
 * @param studentStack the student's layer stack
 * @param targets blocks and soft targets; absent in states written before they existed, which means
 *     {@link DistillationTargets#STATES_ON_PACKED_BLOCKS}
 */
public record DistillationSettings(
    @JsonUnwrapped BlockSchedule schedule,
    @JsonProperty("query_rate") float queryRate,
    @JsonProperty("teacher_params_sha256") String teacher,
    @JsonProperty("student_layer_stack") String studentStack,
    @JsonProperty("targets") DistillationTargets targets)
    implements BlockSettings<DistillationSettings> {

  public DistillationSettings {
    if (schedule == null) {
      throw new IllegalArgumentException("distillation settings need a schedule");
    }
    if (!(queryRate >= 0 && queryRate <= 1)) {
      throw new IllegalArgumentException("query rate must be in [0, 1], was " + queryRate);
    }
    if (targets == null) {
      targets = DistillationTargets.STATES_ON_PACKED_BLOCKS;
    }
  }

  @Override
  public boolean continues(DistillationSettings other) {
    return withCheckpointEvery(1).equals(other.withCheckpointEvery(1));
  }

  /** The same run matching other targets. */
  public DistillationSettings withTargets(DistillationTargets other) {
    return new DistillationSettings(schedule, queryRate, teacher, studentStack, other);
  }

  private DistillationSettings withCheckpointEvery(long every) {
    return new DistillationSettings(
        schedule.withCheckpointEvery(every), queryRate, teacher, studentStack, targets);
  }
}
