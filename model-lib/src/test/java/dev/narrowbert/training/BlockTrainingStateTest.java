package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code training-state.json} of pretraining and distillation runs: checkpoints written before the
 * two loops shared {@link BlockTraining} (flat settings, no distillation targets) still resume, and
 * new ones keep that layout.
 */
class BlockTrainingStateTest {

  /** What {@code TrainingCheckpoint.State} of a pretraining run looked like before the merge. */
  private static final String PRETRAINING_BEFORE_MERGE =
      """
      {
        "step" : 3,
        "settings" : {
          "total_steps" : 6,
          "batch_size" : 4,
          "sequence_length" : 16,
          "learning_rate" : 0.001,
          "warmup_steps" : 0,
          "weight_decay" : 0.01,
          "max_gradient_norm" : 1.0,
          "mask_rate" : 0.15,
          "seed" : 42,
          "held_out_blocks" : 4,
          "checkpoint_every" : 2
        }
      }
      """;

  /** What {@code Distillation.State} looked like before the merge and before soft targets. */
  private static final String DISTILLATION_BEFORE_MERGE =
      """
      {
        "step" : 200,
        "settings" : {
          "total_steps" : 1000,
          "batch_size" : 16,
          "sequence_length" : 128,
          "learning_rate" : 1.0E-4,
          "warmup_steps" : 60,
          "weight_decay" : 0.01,
          "max_gradient_norm" : 1.0,
          "query_rate" : 0.15,
          "seed" : 42,
          "held_out_blocks" : 64,
          "checkpoint_every" : 200,
          "teacher_params_sha256" : "ab12",
          "student_layer_stack" : "sfsf:sfsfsfsfsfsfsfsfsfsf"
        }
      }
      """;

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path run;

  @Test
  void pretrainingStateWrittenBeforeTheMergeIsRead() throws IOException {
    Files.writeString(run.resolve(TrainingCheckpoint.STATE_FILE), PRETRAINING_BEFORE_MERGE);

    BlockTrainingState<PretrainingSettings> state =
        TrainingCheckpoint.readBlockState(run, PretrainingSettings.class);

    assertThat(state.step()).isEqualTo(3);
    assertThat(state.settings())
        .isEqualTo(
            new PretrainingSettings(
                new BlockSchedule(6, 4, 16, 1e-3f, 0, 0.01f, 1f, 42, 4, 2), 0.15f));
  }

  @Test
  void distillationStateWrittenBeforeTheMergeIsReadAsStatesOnPackedBlocks() throws IOException {
    Files.writeString(run.resolve(TrainingCheckpoint.STATE_FILE), DISTILLATION_BEFORE_MERGE);

    BlockTrainingState<DistillationSettings> state =
        TrainingCheckpoint.readBlockState(run, DistillationSettings.class);

    assertThat(state.step()).isEqualTo(200);
    DistillationSettings settings = state.settings();
    assertThat(settings.schedule())
        .isEqualTo(new BlockSchedule(1000, 16, 128, 1e-4f, 60, 0.01f, 1f, 42, 64, 200));
    assertThat(settings.targets()).isEqualTo(DistillationTargets.STATES_ON_PACKED_BLOCKS);
    assertThat(
            settings.continues(settings.withTargets(DistillationTargets.STATES_ON_PACKED_BLOCKS)))
        .isTrue();
    assertThat(
            settings.continues(
                settings.withTargets(
                    new DistillationTargets(DistillationTargets.Blocks.REVIEWS, 0f, 2f))))
        .isFalse();
  }

  @Test
  void newStatesKeepTheFlatLayoutAndRoundTrip() throws IOException {
    DistillationSettings settings =
        new DistillationSettings(
            new BlockSchedule(10, 2, 16, 1e-3f, 1, 0.01f, 1f, 7, 4, 5),
            0.15f,
            "cd34",
            "sfsf:sfsf",
            new DistillationTargets(DistillationTargets.Blocks.REVIEWS, 0.5f, 3f));
    Files.writeString(
        run.resolve(TrainingCheckpoint.STATE_FILE),
        JSON.writeValueAsString(new BlockTrainingState<>(4, settings)));

    JsonNode written = JSON.readTree(run.resolve(TrainingCheckpoint.STATE_FILE).toFile());
    BlockTrainingState<DistillationSettings> read =
        TrainingCheckpoint.readBlockState(run, DistillationSettings.class);

    assertThat(written.get("settings").get("total_steps").asLong()).isEqualTo(10);
    assertThat(written.get("settings").has("schedule")).isFalse();
    assertThat(written.get("settings").get("targets").get("blocks").asText()).isEqualTo("reviews");
    assertThat(read.step()).isEqualTo(4);
    assertThat(read.settings()).isEqualTo(settings);
  }

  @Test
  void changingOnlyTheCheckpointIntervalContinuesARun() {
    BlockSchedule schedule = new BlockSchedule(6, 4, 16, 1e-3f, 0, 0.01f, 1f, 42, 4, 2);
    PretrainingSettings settings = new PretrainingSettings(schedule, 0.15f);

    assertThat(settings.continues(settings.withCheckpointEvery(50))).isTrue();
    assertThat(settings.continues(new PretrainingSettings(schedule, 0.2f))).isFalse();
  }
}
