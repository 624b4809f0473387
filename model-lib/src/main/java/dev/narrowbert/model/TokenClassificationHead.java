package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Token classification (NER over BIO tags), as {@code BertForTokenClassification} in HF {@code
 * modeling_bert.py}: dropout then a linear layer. NarrowBERT runs it on the first sub-token of each
 * word only (those are the queries), which is also where the CoNLL labels live.
 *
 * <p>Input: query states (B, M, d). Output: logits (B, M, T).
 */
public final class TokenClassificationHead extends AbstractBlock {

  private final int hiddenSize;
  private final Dropout dropout;
  private final Linear classifier;

  public TokenClassificationHead(NarrowBertConfig config) {
    hiddenSize = config.hiddenSize();
    dropout = addChildBlock("dropout", Dropout.builder().optRate(config.hiddenDropout()).build());
    classifier =
        addChildBlock(
            "classifier", Linear.builder().setUnits(config.entityLabels().size()).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = dropout.forward(ps, inputs, training).head();
    return classifier.forward(ps, new NDList(x), training);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape in = new Shape(1, hiddenSize);
    dropout.initialize(manager, dataType, in);
    classifier.initialize(manager, dataType, in);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return classifier.getOutputShapes(inputShapes);
  }
}
