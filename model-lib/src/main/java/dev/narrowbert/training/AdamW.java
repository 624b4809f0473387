package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay Regularization",
 * ICLR 2019), as {@code torch.optim.AdamW}: bias-corrected moments, then {@code w -= lr * (m̂ /
 * (√v̂ + ε) + λ w)}, with λ = 0 for biases and LayerNorm parameters as in BERT.
 *
 * <p>Written on NDArray ops instead of using DJL's {@code Adam} because DJL keeps the moments in
 * private maps with no way to save or restore them, so a resumed run would restart the moments from
 * zero and diverge from an uninterrupted one. Here the moments and the step count are saved with
 * {@link #save} and restored with {@link #load}, which makes {@code --resume} exact.
 *
 * <p>Call {@link #step} with grad mode off; the moments and weights are updated in place.
 */
public final class AdamW {

  private final NDManager manager;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float weightDecay;
  private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
  private long updates;

  /**
   * @param manager owns the moment arrays; must live as long as the optimizer
   */
  public AdamW(NDManager manager, float beta1, float beta2, float epsilon, float weightDecay) {
    this.manager = manager;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
  }

  /** BERT's settings: β = (0.9, 0.999), ε = 1e-6, weight decay 0.01. */
  public static AdamW bertDefaults(NDManager manager) {
    return new AdamW(manager, 0.9f, 0.999f, 1e-6f, 0.01f);
  }

  /** Updates done so far (t in the bias correction). */
  public long updates() {
    return updates;
  }

  /** True for parameters that get weight decay: weight matrices and embeddings only. */
  static boolean decays(Parameter parameter) {
    return parameter.getType() == Parameter.Type.WEIGHT;
  }

  /**
   * One update of every parameter from its gradient.
   *
   * @param parameters the trainable parameters, by name; the same list every step
   * @param learningRate this step's learning rate
   */
  public void step(List<Pair<String, Parameter>> parameters, float learningRate) {
    updates++;
    float correction1 = (float) (1 - Math.pow(beta1, updates));
    float correction2 = (float) (1 - Math.pow(beta2, updates));
    for (Pair<String, Parameter> entry : parameters) {
      NDArray weight = entry.getValue().getArray();
      NDArray gradient = weight.getGradient();
      NDArray m = firstMoments.computeIfAbsent(entry.getKey(), k -> zerosLike(weight));
      NDArray v = secondMoments.computeIfAbsent(entry.getKey(), k -> zerosLike(weight));
      m.muli(beta1).addi(gradient.mul(1 - beta1));
      v.muli(beta2).addi(gradient.square().muli(1 - beta2));
      NDArray update = m.div(correction1).divi(v.div(correction2).sqrt().addi(epsilon));
      if (weightDecay > 0 && decays(entry.getValue())) {
        update.addi(weight.mul(weightDecay));
      }
      weight.subi(update.muli(learningRate));
      gradient.close();
    }
  }

  private NDArray zerosLike(NDArray weight) {
    NDArray zeros = manager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
    NDScope.unregister(zeros); // lives across steps, not in the step's scope
    return zeros;
  }

  /** Writes the step count and both moments of every parameter. */
  public void save(DataOutputStream out) throws IOException {
    out.writeLong(updates);
    out.writeInt(firstMoments.size());
    for (String name : firstMoments.keySet()) {
      out.writeUTF(name);
      writeArray(out, firstMoments.get(name));
      writeArray(out, secondMoments.get(name));
    }
  }

  /** Restores what {@link #save} wrote, replacing the current state. */
  public void load(DataInputStream in) throws IOException {
    firstMoments.values().forEach(NDArray::close);
    secondMoments.values().forEach(NDArray::close);
    firstMoments.clear();
    secondMoments.clear();
    updates = in.readLong();
    int count = in.readInt();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      firstMoments.put(name, readArray(in));
      secondMoments.put(name, readArray(in));
    }
  }

  private static void writeArray(DataOutputStream out, NDArray array) throws IOException {
    byte[] bytes = array.encode();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private NDArray readArray(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    NDArray array = NDArray.decode(manager, bytes);
    NDScope.unregister(array);
    return array;
  }
}
