package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * The entity gate: {@code W2 · gelu(W1 · h)} on the full-length state h of a word's first sub-token
 * at the narrowing point, one logit per word (sigmoid = probability that the word is part of an
 * entity). It costs two small matrix products per word, against the narrow layers' attention and
 * feed-forward for every word it keeps out of the queries.
 *
 * <p>Input: states (B, W, d). Output: logits (B, W).
 */
public final class EntityGate extends AbstractBlock {

  private final int hiddenSize;
  private final int gateSize;
  private final Linear hidden;
  private final Linear score;

  public EntityGate(NarrowBertConfig config) {
    hiddenSize = config.hiddenSize();
    gateSize = config.entityGate().hiddenSize();
    hidden = addChildBlock("hidden", Linear.builder().setUnits(gateSize).build());
    score = addChildBlock("score", Linear.builder().setUnits(1).build());
  }

  /**
   * Gate probabilities of the given positions, per example.
   *
   * @param states H at the narrowing point (B, L, d)
   * @param positions per example, the positions to score (each word's first sub-token)
   * @return per example, one probability per position
   */
  public float[][] probabilities(ParameterStore ps, NDArray states, List<int[]> positions) {
    try (NDManager scope = states.getManager().newSubManager()) {
      QueryPositions words = QueryPositions.of(scope, positions);
      NDArray logits = forward(ps, new NDList(words.gather(states)), false).head(); // (B, W)
      float[] flat = Activation.sigmoid(logits).toType(DataType.FLOAT32, false).toFloatArray();
      int width = (int) words.count();
      float[][] result = new float[positions.size()][];
      for (int b = 0; b < positions.size(); b++) {
        result[b] =
            java.util.Arrays.copyOfRange(flat, b * width, b * width + positions.get(b).length);
      }
      return result;
    }
  }

  /** Indices of the probabilities at or above {@code threshold}: the words that become queries. */
  public static int[] passing(float[] probabilities, float threshold) {
    return java.util.stream.IntStream.range(0, probabilities.length)
        .filter(w -> probabilities[w] >= threshold)
        .toArray();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray inner = Activation.gelu(hidden.forward(ps, inputs, training).head()); // (B, W, g)
    NDArray logits = score.forward(ps, new NDList(inner), training).head(); // (B, W, 1)
    return new NDList(logits.squeeze(-1));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    hidden.initialize(manager, dataType, new Shape(1, hiddenSize));
    score.initialize(manager, dataType, new Shape(1, gateSize));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1))};
  }
}
