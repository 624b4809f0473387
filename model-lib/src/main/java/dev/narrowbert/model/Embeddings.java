package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * BERT input embeddings, as {@code BertEmbeddings} in HF {@code modeling_bert.py}: word + learned
 * absolute position + token type, then LayerNorm and dropout.
 *
 * <p>Inputs: token ids (B, L) and token-type ids (B, L), int64. Output: (B, L, d).
 */
public final class Embeddings extends AbstractBlock {

  private final NarrowBertConfig config;
  private final Parameter wordEmbeddings;
  private final Parameter positionEmbeddings;
  private final Parameter tokenTypeEmbeddings;
  private final LayerNorm layerNorm;
  private final Dropout dropout;

  public Embeddings(NarrowBertConfig config) {
    this.config = config;
    int d = config.hiddenSize();
    wordEmbeddings = addParameter(table("word_embeddings", config.vocabSize(), d));
    positionEmbeddings =
        addParameter(table("position_embeddings", config.maxPositionEmbeddings(), d));
    tokenTypeEmbeddings = addParameter(table("token_type_embeddings", config.typeVocabSize(), d));
    layerNorm =
        addChildBlock(
            "layer_norm", LayerNorm.builder().axis(1).optEpsilon(config.layerNormEps()).build());
    dropout = addChildBlock("dropout", Dropout.builder().optRate(config.hiddenDropout()).build());
  }

  private static Parameter table(String name, int rows, int d) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(rows, d))
        .build();
  }

  /** The (V, d) word embedding matrix; the MLM decoder is tied to it. */
  public Parameter wordEmbeddings() {
    return wordEmbeddings;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray ids = inputs.get(0); // (B, L)
    NDArray typeIds = inputs.get(1); // (B, L)
    long length = ids.getShape().get(1);
    if (length > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "sequence length "
              + length
              + " > max_position_embeddings "
              + config.maxPositionEmbeddings());
    }
    NDArray positions =
        ids.getManager().arange(0, length, 1, DataType.INT64).expandDims(0); // (1, L)
    NDArray words = lookup(ids, ps.getValue(wordEmbeddings, ids.getDevice(), training));
    NDArray where = lookup(positions, ps.getValue(positionEmbeddings, ids.getDevice(), training));
    NDArray types = lookup(typeIds, ps.getValue(tokenTypeEmbeddings, ids.getDevice(), training));
    NDArray sum = words.add(where).add(types); // (B, L, d)
    NDArray normed = layerNorm.forward(ps, new NDList(sum), training).head();
    return dropout.forward(ps, new NDList(normed), training);
  }

  /** Row lookup whose result belongs to the ids' manager, never to the parameter's. */
  private static NDArray lookup(NDArray ids, NDArray table) {
    return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).head();
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    layerNorm.initialize(manager, dataType, new Shape(1, config.hiddenSize()));
    dropout.initialize(manager, dataType, new Shape(1, config.hiddenSize()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape ids = inputShapes[0];
    return new Shape[] {new Shape(ids.get(0), ids.get(1), config.hiddenSize())};
  }
}
