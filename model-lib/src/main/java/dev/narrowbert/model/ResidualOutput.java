package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Post-LayerNorm sublayer output: {@code LayerNorm(residual + dropout(dense(h)))}. This is both
 * {@code BertSelfOutput} (input width d) and {@code BertOutput} (input width FF) of HF {@code
 * modeling_bert.py}.
 *
 * <p>Inputs: h (B, T, in), residual (B, T, d). Output: (B, T, d).
 */
public final class ResidualOutput extends AbstractBlock {

  private final int inputWidth;
  private final int hiddenSize;
  private final Linear dense;
  private final Dropout dropout;
  private final LayerNorm layerNorm;

  public ResidualOutput(NarrowBertConfig config, int inputWidth) {
    this.inputWidth = inputWidth;
    this.hiddenSize = config.hiddenSize();
    dense = addChildBlock("dense", Linear.builder().setUnits(hiddenSize).build());
    dropout = addChildBlock("dropout", Dropout.builder().optRate(config.hiddenDropout()).build());
    layerNorm =
        addChildBlock(
            "layer_norm", LayerNorm.builder().axis(1).optEpsilon(config.layerNormEps()).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray projected = dense.forward(ps, new NDList(inputs.get(0)), training).head();
    projected = dropout.forward(ps, new NDList(projected), training).head();
    return layerNorm.forward(ps, new NDList(projected.add(inputs.get(1))), training);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    dense.initialize(manager, dataType, new Shape(1, inputWidth));
    dropout.initialize(manager, dataType, new Shape(1, hiddenSize));
    layerNorm.initialize(manager, dataType, new Shape(1, hiddenSize));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[1]};
  }
}
