package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The {@code s} sublayer: {@link SelfAttention} then {@link ResidualOutput} on the query states,
 * i.e. {@code BertAttention} of HF {@code modeling_bert.py}. Full-length it is called with x = H;
 * narrow (Li et al., 2023) with x = the query positions and H = the states at the {@code :} point.
 *
 * <p>Inputs: x (B, M, d), H (B, L, d), additive mask (B, 1, 1, L). Output: (B, M, d).
 */
public final class AttentionSublayer extends AbstractBlock {

  private final SelfAttention attention;
  private final ResidualOutput output;

  public AttentionSublayer(NarrowBertConfig config) {
    attention = addChildBlock("self", new SelfAttention(config));
    output = addChildBlock("output", new ResidualOutput(config, config.hiddenSize()));
  }

  SelfAttention attention() {
    return attention;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray attended = attention.forward(ps, inputs, training).head(); // (B, M, d)
    return output.forward(ps, new NDList(attended, x), training);
  }

  /** The same sublayer with K and V already projected from H, each (B, L, d). */
  public NDArray forwardProjected(
      ParameterStore ps,
      NDArray x,
      NDArray keys,
      NDArray values,
      NDArray additiveMask,
      boolean training) {
    NDArray attended = attention.attend(ps, x, keys, values, additiveMask, training);
    return output.forward(ps, new NDList(attended, x), training).head();
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    attention.initialize(manager, dataType, shapes);
    output.initialize(manager, dataType, shapes);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
