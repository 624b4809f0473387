package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.narrowbert.model.NarrowBertModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The heads' soft targets of distillation (Hinton et al., 2015) on tiny weights initialised at 0.2,
 * where the narrow student's states differ from the teacher's as a trained model's do.
 */
class DistillationSoftTargetsTest {

  private static final String BERT = TinyDistillationWeights.BERT;
  private static final String NARROW = TinyDistillationWeights.NARROW;
  private static final int LENGTH = 13;
  private static final DistillationTargets HEADS =
      new DistillationTargets(DistillationTargets.Blocks.REVIEWS, 1f, 2f);

  @RegisterExtension final TinyDistillationWeights weights = new TinyDistillationWeights(0.2);

  @Test
  void studentIdenticalToTheTeacherHasZeroHeadKlAndAgreesEverywhere() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      DistillationObjective objective = objective(manager, weights.load(manager, BERT), HEADS);
      DistillationBatch batch = weights.batch(manager, 4, LENGTH, 0.5f);

      float heads = objective.parts(batch, false).heads().getFloat();
      DistillationObjective.Sums sums = new DistillationObjective.Sums();
      objective.evaluate(batch, sums);
      DistillationObjective.Evaluation evaluation = sums.evaluation();

      assertThat((double) Math.abs(heads)).isLessThan(1e-10);
      assertThat(evaluation.sentimentAgreement()).isEqualTo(1.0);
      assertThat(Math.abs(evaluation.sentimentKl())).isLessThan(1e-10);
      assertThat(Math.abs(evaluation.entityKl())).isLessThan(1e-10);
    }
  }

  @Test
  void headKlIsPositiveForTheNarrowStudentAndFallsWithTraining() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel student = weights.load(manager, NARROW);
      DistillationObjective objective = objective(manager, student, HEADS);
      DistillationBatch batch = weights.batch(manager, 4, LENGTH, 0.5f);
      Trainer trainer = trainer(manager, Distillation.trainableParameters(student, true));

      float before = objective.parts(batch, false).heads().getFloat();
      for (int step = 0; step < 8; step++) {
        trainer.step(step, () -> objective.loss(batch, false));
      }
      float after = objective.parts(batch, false).heads().getFloat();

      assertThat(before).isPositive();
      assertThat(after).isLessThan(before);
    }
  }

  @Test
  void headWeightZeroKeepsTheHeadsAndAPositiveWeightTrainsThem() throws IOException {
    DistillationTargets statesOnly =
        new DistillationTargets(DistillationTargets.Blocks.REVIEWS, 0f, 2f);

    assertThat(headsChangedByOneStep(statesOnly)).isFalse();
    assertThat(headsChangedByOneStep(HEADS)).isTrue();
  }

  @Test
  void theLossIsTheStatesPlusTheWeightedHeads() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel student = weights.load(manager, NARROW);
      DistillationBatch batch = weights.batch(manager, 4, LENGTH, 0.5f);
      DistillationTargets half =
          new DistillationTargets(DistillationTargets.Blocks.PACKED, .5f, 3f);

      DistillationObjective.Loss loss = objective(manager, student, half).parts(batch, false);
      float statesOnly =
          objective(manager, student, DistillationTargets.STATES_ON_PACKED_BLOCKS)
              .loss(batch, false)
              .getFloat();

      assertThat(loss.states().getFloat()).isEqualTo(statesOnly);
      assertThat(loss.total().getFloat())
          .isCloseTo(
              statesOnly + loss.heads().getFloat(), org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void refusesATemperatureOfZeroAndANegativeWeight() {
    assertThatThrownBy(() -> new DistillationTargets(DistillationTargets.Blocks.PACKED, 1f, 0f))
        .hasMessage("temperature must be > 0, was 0.0");
    assertThatThrownBy(() -> new DistillationTargets(DistillationTargets.Blocks.PACKED, -1f, 2f))
        .hasMessage("head weight must be >= 0, was -1.0");
    assertThatThrownBy(() -> DistillationTargets.Blocks.fromJson("words"))
        .hasMessage("unknown blocks 'words' (expected packed or reviews)");
  }

  /** One step of {@link Distillation} as {@link BlockTraining} runs it; true if a head moved. */
  private boolean headsChangedByOneStep(DistillationTargets targets) throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel teacher = weights.load(manager, BERT);
      NarrowBertModel student = weights.load(manager, NARROW);
      DistillationSettings settings =
          new DistillationSettings(
              new BlockSchedule(4, 4, LENGTH, 1e-3f, 0, 0.01f, 1f, 5, 2, 4),
              0.5f,
              "teacher",
              NARROW,
              targets);
      Distillation distillation =
          new Distillation(manager, teacher, student, weights.vocabulary(), settings);
      ModelParts parts = ModelParts.of(student);
      Map<Parameter, float[]> before = new IdentityHashMap<>();
      for (Pair<String, Parameter> p : student.getParameters()) {
        before.put(p.getValue(), p.getValue().getArray().toFloatArray());
      }
      List<int[]> blocks = new ArrayList<>();
      Random random = new Random(2);
      for (int b = 0; b < 4; b++) {
        blocks.add(weights.block(random, LENGTH - 2 - b, LENGTH));
      }
      Trainer trainer = trainer(manager, distillation.trainableParameters());

      try (NDManager scope = manager.newSubManager()) {
        trainer.step(0, distillation.batch(scope, blocks, new Random(9))::loss);
      }

      boolean changed = false;
      for (Pair<String, Parameter> p : student.getParameters()) {
        Parameter parameter = p.getValue();
        boolean moved = !Arrays.equals(parameter.getArray().toFloatArray(), before.get(parameter));
        if (parts.belongsTo(parameter, ModelParts.Part.MLM_HEAD)) {
          assertThat(moved).as("MLM head %s", p.getKey()).isFalse();
        }
        changed |=
            moved
                && (parts.belongsTo(parameter, ModelParts.Part.SENTIMENT_HEAD)
                    || parts.belongsTo(parameter, ModelParts.Part.ENTITY_HEAD));
      }
      return changed;
    }
  }

  private DistillationObjective objective(
      NDManager manager, NarrowBertModel student, DistillationTargets targets) throws IOException {
    return new DistillationObjective(
        student, weights.load(manager, BERT), new ParameterStore(manager, false), targets);
  }

  private static Trainer trainer(NDManager manager, List<Pair<String, Parameter>> trainable) {
    for (Pair<String, Parameter> p : trainable) {
      p.getValue().getArray().setRequiresGradient(true);
    }
    return new Trainer(
        trainable, AdamW.bertDefaults(manager), new WarmupLinearDecay(1e-2f, 0, 100), 1f, 3);
  }
}
