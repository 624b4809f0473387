package dev.narrowbert.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One optimisation step for any model: forward + loss (supplied by the caller), backward, clipping
 * to a global gradient norm (Pascanu et al., 2013; {@code torch.nn.utils.clip_grad_norm_}), an
 * {@link AdamW} update at the scheduled learning rate, and zeroed gradients. It knows nothing about
 * BERT: objectives and data loops live elsewhere.
 *
 * <p>Every native array created during a step is freed when the step ends ({@link NDScope}), and
 * the engine's RNG (dropout) is reseeded from (seed, step), so a run resumed at step k draws the
 * same dropout masks as an uninterrupted run.
 */
public final class Trainer {

  /**
   * What a step reports.
   *
   * @param skipped true if the gradient was not finite and no update was made
   */
  public record StepResult(float loss, float gradientNorm, float learningRate, boolean skipped) {

    /**
     * The step's line in a {@link MetricsLog}, to which a loop adds its own figures: {@code loss},
     * {@code lr}, {@code grad_norm}, and {@code skipped_update} (1) when the update was skipped.
     */
    public Map<String, Double> metrics() {
      Map<String, Double> values = new LinkedHashMap<>();
      values.put("loss", (double) loss);
      values.put("lr", (double) learningRate);
      values.put("grad_norm", (double) gradientNorm);
      if (skipped) {
        values.put("skipped_update", 1.0);
      }
      return values;
    }
  }

  private final List<Pair<String, Parameter>> parameters;
  private final AdamW optimizer;
  private final WarmupLinearDecay schedule;
  private final float maxGradientNorm;
  private final long seed;

  /**
   * @param parameters the trainable parameters (others are left untouched)
   * @param maxGradientNorm clip threshold; {@code <= 0} disables clipping
   */
  public Trainer(
      List<Pair<String, Parameter>> parameters,
      AdamW optimizer,
      WarmupLinearDecay schedule,
      float maxGradientNorm,
      long seed) {
    this.parameters = List.copyOf(parameters);
    this.optimizer = optimizer;
    this.schedule = schedule;
    this.maxGradientNorm = maxGradientNorm;
    this.seed = seed;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /**
   * Runs step {@code step} (0-based).
   *
   * @param loss builds the scalar loss in training mode; called inside the gradient collector
   */
  public StepResult step(long step, Supplier<NDArray> loss) {
    Engine.getInstance().setRandomSeed((int) (seed * 1_000_003L + step));
    try (NDScope scope = new NDScope()) {
      float lossValue;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray value = loss.get();
        collector.backward(value);
        lossValue = value.getFloat();
      }
      JniUtils.setGradMode(false);
      float norm = clip();
      float rate = schedule.at(step);
      // A non-finite gradient (one bad batch) would turn every weight into NaN: skip the update,
      // as mixed-precision trainers do on overflow, and report it.
      boolean skipped = !Float.isFinite(norm) || !Float.isFinite(lossValue);
      if (!skipped) {
        optimizer.step(parameters, rate);
      }
      for (Pair<String, Parameter> p : parameters) {
        NDArray gradient = p.getValue().getArray().getGradient();
        if (skipped) {
          // In-place index put: NaN - NaN and NaN * 0 would stay NaN.
          gradient.set(new NDIndex(":"), 0);
        } else {
          gradient.subi(gradient);
        }
      }
      return new StepResult(lossValue, norm, rate, skipped);
    }
  }

  /** Scales all gradients so that their joint L2 norm is at most the threshold; returns it. */
  private float clip() {
    double sumOfSquares = 0;
    for (Pair<String, Parameter> p : parameters) {
      sumOfSquares += p.getValue().getArray().getGradient().square().sum().getFloat();
    }
    float norm = (float) Math.sqrt(sumOfSquares);
    if (maxGradientNorm > 0 && norm > maxGradientNorm && Float.isFinite(norm)) {
      float scale = maxGradientNorm / (norm + 1e-6f);
      for (Pair<String, Parameter> p : parameters) {
        p.getValue().getArray().getGradient().muli(scale);
      }
    }
    return norm;
  }
}
