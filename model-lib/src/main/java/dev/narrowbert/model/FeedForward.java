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

/**
 * The {@code f} sublayer: {@code LayerNorm(x + dropout(W2 · gelu(W1 · x)))}, i.e. {@code
 * BertIntermediate} + {@code BertOutput} of HF {@code modeling_bert.py}, with the exact (erf) GELU
 * that BERT uses. Position-wise, so running it on query positions only is exact.
 *
 * <p>Input: x (B, T, d). Output: (B, T, d).
 */
public final class FeedForward extends AbstractBlock implements EncoderSublayer {

  private final int hiddenSize;
  private final Linear intermediate;
  private final ResidualOutput output;

  public FeedForward(NarrowBertConfig config) {
    hiddenSize = config.hiddenSize();
    intermediate =
        addChildBlock("intermediate", Linear.builder().setUnits(config.intermediateSize()).build());
    output = addChildBlock("output", new ResidualOutput(config, config.intermediateSize()));
  }

  /** Position-wise: reads x only, never the {@link KeyValueSource}. */
  @Override
  public NDArray forward(ParameterStore ps, NDArray x, KeyValueSource source, boolean training) {
    return forward(ps, new NDList(x), training).head();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray inner = Activation.gelu(intermediate.forward(ps, inputs, training).head()); // (B,T,FF)
    return output.forward(ps, new NDList(inner, x), training);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    intermediate.initialize(manager, dataType, new Shape(1, hiddenSize));
    output.initialize(manager, dataType, shapes);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
