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
 * i.e. {@code BertAttention} of HF {@code modeling_bert.py}. Full-length it attends to x itself;
 * narrow (Li et al., 2023) x are the query positions and K, V come from H, the states at the {@code
 * :} point (see {@link KeyValueSource}).
 *
 * <p>As a DJL block: inputs x (B, M, d), H (B, L, d), additive mask (B, 1, 1, L); output (B, M, d).
 */
public final class AttentionSublayer extends AbstractBlock implements EncoderSublayer {

  private final SelfAttention attention;
  private final ResidualOutput output;

  public AttentionSublayer(NarrowBertConfig config) {
    attention = addChildBlock("self", new SelfAttention(config));
    output = addChildBlock("output", new ResidualOutput(config, config.hiddenSize()));
  }

  /** The attention whose K and V projections {@link FusedKeyValueProjection} fuses. */
  SelfAttention attention() {
    return attention;
  }

  @Override
  public NDArray forward(ParameterStore ps, NDArray x, KeyValueSource source, boolean training) {
    // 1. K and V over L: from x itself, from H, or computed beforehand.
    KeyValueSource.KeyValues kv = source.keyValues(ps, attention, x, training); // 2 × (B, L, d)
    // 2. Multi-head attention of the queries x over them.
    NDArray attended =
        attention.attend(ps, x, kv.keys(), kv.values(), source.additiveMask(), training);
    // 3. Output projection, dropout, residual on x, LayerNorm.
    return output.forward(ps, new NDList(attended, x), training).head(); // (B, M, d)
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    FullLengthStates context = new FullLengthStates(inputs.get(1), inputs.get(2));
    return new NDList(forward(ps, inputs.get(0), KeyValueSource.projectedFrom(context), training));
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
