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
 * Multi-head scaled dot-product attention whose queries come from a different input than its keys
 * and values, as {@code BertSelfAttention} in HF {@code modeling_bert.py} (Vaswani et al., 2017). A
 * full sublayer passes the same states twice; a narrow one (Li et al., 2023) passes the query
 * positions x (B, M, d) and the full-length states H (B, L, d).
 *
 * <p>Inputs: queries (B, M, d), context (B, L, d), additive mask (B, 1, 1, L). Output: (B, M, d),
 * before the output projection.
 */
public final class SelfAttention extends AbstractBlock {

  private final NarrowBertConfig config;
  private final Linear query;
  private final Linear key;
  private final Linear value;
  private final Dropout dropout;

  public SelfAttention(NarrowBertConfig config) {
    this.config = config;
    int d = config.hiddenSize();
    query = addChildBlock("query", Linear.builder().setUnits(d).build());
    key = addChildBlock("key", Linear.builder().setUnits(d).build());
    value = addChildBlock("value", Linear.builder().setUnits(d).build());
    dropout =
        addChildBlock("dropout", Dropout.builder().optRate(config.attentionDropout()).build());
  }

  /** The key projection; {@link FusedKeyValueProjection} reads its weight and bias. */
  Linear key() {
    return key;
  }

  /** The value projection; {@link FusedKeyValueProjection} reads its weight and bias. */
  Linear value() {
    return value;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    KeyValueSource.KeyValues kv = project(ps, inputs.get(1), training);
    return new NDList(attend(ps, inputs.get(0), kv.keys(), kv.values(), inputs.get(2), training));
  }

  /**
   * This attention's own K and V projections of the states it attends to.
   *
   * @param context the states attended to (B, L, d): the queries themselves full-length, H narrow
   * @return keys and values, each (B, L, d)
   */
  public KeyValueSource.KeyValues project(ParameterStore ps, NDArray context, boolean training) {
    NDArray keys = key.forward(ps, new NDList(context), training).head(); // (B, L, d)
    NDArray values = value.forward(ps, new NDList(context), training).head(); // (B, L, d)
    return new KeyValueSource.KeyValues(keys, values);
  }

  /**
   * Attention with keys and values already projected, by {@link #project} or, for all narrow
   * sublayers at once, by {@link FusedKeyValueProjection}.
   *
   * @param x query states (B, M, d)
   * @param keys projected keys (B, L, d)
   * @param values projected values (B, L, d)
   * @param additiveMask 0 for tokens, a large negative for padding, (B, 1, 1, L)
   * @return attended values (B, M, d)
   */
  public NDArray attend(
      ParameterStore ps,
      NDArray x,
      NDArray keys,
      NDArray values,
      NDArray additiveMask,
      boolean training) {
    NDArray q = heads(query.forward(ps, new NDList(x), training).head()); // (B, nh, M, hs)
    NDArray k = heads(keys); // (B, nh, L, hs)
    NDArray v = heads(values); // (B, nh, L, hs)
    NDArray scores =
        q.matMul(k.transpose(0, 1, 3, 2)).div(Math.sqrt(config.headSize())); // (B, nh, M, L)
    NDArray probs = scores.add(additiveMask).softmax(-1);
    probs = dropout.forward(ps, new NDList(probs), training).head();
    NDArray attended = probs.matMul(v); // (B, nh, M, hs)
    Shape s = attended.getShape();
    return attended.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), config.hiddenSize());
  }

  /** (B, T, d) -> (B, nh, T, hs). */
  private NDArray heads(NDArray states) {
    Shape s = states.getShape();
    return states
        .reshape(s.get(0), s.get(1), config.numAttentionHeads(), config.headSize())
        .transpose(0, 2, 1, 3);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape in = new Shape(1, config.hiddenSize());
    query.initialize(manager, dataType, in);
    key.initialize(manager, dataType, in);
    value.initialize(manager, dataType, in);
    dropout.initialize(manager, dataType, in);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
