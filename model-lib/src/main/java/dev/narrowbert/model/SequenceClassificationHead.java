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
 * Sequence classification on [CLS], as {@code BertPooler} + {@code BertForSequenceClassification}
 * in HF {@code modeling_bert.py}: pooler dense + tanh, dropout, linear classifier. NarrowBERT only
 * needs [CLS] as a query for this head.
 *
 * <p>Input: [CLS] states (B, d). Output: logits (B, C).
 */
public final class SequenceClassificationHead extends AbstractBlock {

  private final int hiddenSize;
  private final Linear pooler;
  private final Dropout dropout;
  private final Linear classifier;

  public SequenceClassificationHead(NarrowBertConfig config) {
    hiddenSize = config.hiddenSize();
    pooler = addChildBlock("pooler", Linear.builder().setUnits(hiddenSize).build());
    dropout = addChildBlock("dropout", Dropout.builder().optRate(config.hiddenDropout()).build());
    classifier =
        addChildBlock(
            "classifier", Linear.builder().setUnits(config.sentimentLabels().size()).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray pooled = pooler.forward(ps, inputs, training).head().tanh(); // (B, d)
    pooled = dropout.forward(ps, new NDList(pooled), training).head();
    return classifier.forward(ps, new NDList(pooled), training); // (B, C)
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape in = new Shape(1, hiddenSize);
    pooler.initialize(manager, dataType, in);
    dropout.initialize(manager, dataType, in);
    classifier.initialize(manager, dataType, in);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return classifier.getOutputShapes(inputShapes);
  }
}
