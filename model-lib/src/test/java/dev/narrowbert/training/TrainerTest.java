package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerTest {

  @Test
  void reportsTheGlobalGradientNormAndClearsGradientsAfterTheUpdate() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter w = parameter(manager);
      Trainer trainer = trainer(w, manager, 1.0f);

      Trainer.StepResult result = trainer.step(0, () -> w.getArray().mul(3f).sum()); // grad 3,3,3,3

      assertThat(result.gradientNorm()).isCloseTo(6f, within(1e-5f));
      assertThat(result.skipped()).isFalse();
      assertThat(w.getArray().getGradient().abs().sum().getFloat()).isZero();
    }
  }

  @Test
  void skipsTheUpdateWhenTheGradientIsNotFinite() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter w = parameter(manager);
      Trainer trainer = trainer(w, manager, 1.0f);
      float[] before = w.getArray().toFloatArray();

      Trainer.StepResult result = trainer.step(0, () -> w.getArray().mul(Float.NaN).sum().mul(0f));

      assertThat(result.skipped()).isTrue();
      assertThat(w.getArray().toFloatArray()).containsExactly(before);
      assertThat(trainer.optimizer().updates()).isZero();
      Trainer.StepResult next = trainer.step(1, () -> w.getArray().sum());
      assertThat(next.skipped()).isFalse();
      assertThat(next.gradientNorm()).isCloseTo(2f, within(1e-5f)); // no NaN left behind
    }
  }

  private static Trainer trainer(Parameter w, NDManager manager, float clip) {
    return new Trainer(
        List.of(new Pair<>("w", w)),
        AdamW.bertDefaults(manager),
        new WarmupLinearDecay(0.1f, 0, 10),
        clip,
        1);
  }

  private static Parameter parameter(NDManager manager) {
    Parameter parameter = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
    NDArray array = manager.ones(new Shape(4));
    array.setRequiresGradient(true);
    parameter.setArray(array);
    return parameter;
  }
}
