package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AdamW against the update rule written out by hand (torch.optim.AdamW semantics). */
class AdamWTest {

  @Test
  void matchesTheUpdateRuleAndSkipsDecayOnBiases() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter weight = parameter(manager, "w", Parameter.Type.WEIGHT, 1.0f);
      Parameter bias = parameter(manager, "b", Parameter.Type.BIAS, 1.0f);
      AdamW adam = new AdamW(manager, 0.9f, 0.999f, 1e-8f, 0.1f);
      List<Pair<String, Parameter>> both = List.of(new Pair<>("w", weight), new Pair<>("b", bias));

      setGradient(weight, 0.5f);
      setGradient(bias, 0.5f);
      JniUtils.setGradMode(false);
      adam.step(both, 0.01f);

      // Step 1: m̂ = g, v̂ = g², so the Adam part is g/|g| = 1.
      assertThat(weight.getArray().getFloat(0)).isCloseTo(1 - 0.01f * (1 + 0.1f), within(1e-6f));
      assertThat(bias.getArray().getFloat(0)).isCloseTo(1 - 0.01f, within(1e-6f));
    }
  }

  @Test
  void savedStateContinuesIdentically() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter a = parameter(manager, "w", Parameter.Type.WEIGHT, 1.0f);
      Parameter b = parameter(manager, "w", Parameter.Type.WEIGHT, 1.0f);
      AdamW first = AdamW.bertDefaults(manager);
      JniUtils.setGradMode(false);
      setGradient(a, 0.3f);
      first.step(List.of(new Pair<>("w", a)), 0.01f);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      first.save(new DataOutputStream(bytes));
      b.getArray().set(a.getArray().toFloatArray());
      AdamW restored = AdamW.bertDefaults(manager);
      restored.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

      setGradient(a, -0.7f);
      setGradient(b, -0.7f);
      first.step(List.of(new Pair<>("w", a)), 0.01f);
      restored.step(List.of(new Pair<>("w", b)), 0.01f);

      assertThat(restored.updates()).isEqualTo(2);
      assertThat(b.getArray().toFloatArray()).containsExactly(a.getArray().toFloatArray());
    }
  }

  private static Parameter parameter(
      NDManager manager, String name, Parameter.Type type, float value) {
    Parameter parameter = Parameter.builder().setName(name).setType(type).build();
    NDArray array = manager.full(new Shape(3), value);
    array.setRequiresGradient(true);
    parameter.setArray(array);
    return parameter;
  }

  /** Gives {@code parameter} the gradient {@code value} everywhere, through a real backward. */
  private static void setGradient(Parameter parameter, float value) {
    NDArray weight = parameter.getArray();
    if (weight.hasGradient()) {
      NDArray old = weight.getGradient();
      old.subi(old);
    }
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(weight.mul(value).sum());
    }
  }
}
