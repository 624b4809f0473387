package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Masked-language-model head, as {@code BertLMPredictionHead} in HF {@code modeling_bert.py}:
 * dense, GELU, LayerNorm, then a decoder tied to the word embeddings plus its own bias. In
 * NarrowBERT pretraining it runs on the masked (query) positions only.
 *
 * <p>Input: query states (B, M, d). Output: logits (B, M, V).
 */
public final class MlmHead extends AbstractBlock {

  private final NarrowBertConfig config;
  private final Linear transform;
  private final LayerNorm layerNorm;
  private final Parameter tiedWordEmbeddings;
  private final Parameter decoderBias;

  /**
   * @param wordEmbeddings the (V, d) embedding parameter; not owned or saved by this head
   */
  public MlmHead(NarrowBertConfig config, Parameter wordEmbeddings) {
    this.config = config;
    this.tiedWordEmbeddings = wordEmbeddings;
    transform = addChildBlock("transform", Linear.builder().setUnits(config.hiddenSize()).build());
    layerNorm =
        addChildBlock(
            "layer_norm", LayerNorm.builder().axis(1).optEpsilon(config.layerNormEps()).build());
    decoderBias =
        addParameter(
            Parameter.builder()
                .setName("decoder_bias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(config.vocabSize()))
                .build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head(); // (B, M, d)
    NDArray h = Activation.gelu(transform.forward(ps, inputs, training).head());
    h = layerNorm.forward(ps, new NDList(h), training).head();
    NDArray embeddings = ps.getValue(tiedWordEmbeddings, x.getDevice(), training); // (V, d)
    NDArray bias = ps.getValue(decoderBias, x.getDevice(), training); // (V)
    return Linear.linear(h, embeddings, bias); // (B, M, V)
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape in = new Shape(1, config.hiddenSize());
    transform.initialize(manager, dataType, in);
    layerNorm.initialize(manager, dataType, in);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape x = inputShapes[0];
    return new Shape[] {new Shape(x.get(0), x.get(1), config.vocabSize())};
  }
}
