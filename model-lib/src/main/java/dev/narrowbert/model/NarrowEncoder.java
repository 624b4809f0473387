package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sublayer stack of Li et al., "NarrowBERT" (ACL 2023, arXiv 2301.04761), for any {@link
 * LayerStack}: full-length sublayers over all tokens, then narrow sublayers over the query
 * positions only, with every narrow attention reading keys and values from the same H. A stack
 * without {@code :} is standard BERT ({@code BertEncoder} of HF {@code modeling_bert.py}).
 *
 * <p>Child blocks are named {@code sublayer_NN_s} / {@code sublayer_NN_f} by their index in the
 * notation without {@code :}, so moving {@code :} keeps the checkpoint layout.
 *
 * <p>Inputs: embeddings (B, L, d), attention mask (B, L) with 1 for tokens, query positions (B, M)
 * and query mask (B, M). Outputs: H (B, L, d) and query states (B, M, d).
 */
public final class NarrowEncoder extends AbstractBlock {

  /** Added to attention logits of padding; exp(-1e4) is 0 in float32 and it fits in float16. */
  private static final float MASKED_LOGIT = -1e4f;

  private final NarrowBertConfig config;
  private final LayerStack stack;
  private final List<Block> fullSublayers = new ArrayList<>();
  private final List<Block> narrowSublayers = new ArrayList<>();
  private final FusedKeyValueProjection fusedKeyValues;

  public NarrowEncoder(NarrowBertConfig config) {
    this.config = config;
    this.stack = config.stack();
    int index = 0;
    for (LayerStack.Sublayer kind : stack.full()) {
      fullSublayers.add(addChildBlock(name(index++, kind), create(kind)));
    }
    List<SelfAttention> narrowAttentions = new ArrayList<>();
    for (LayerStack.Sublayer kind : stack.narrow()) {
      Block sublayer = addChildBlock(name(index++, kind), create(kind));
      narrowSublayers.add(sublayer);
      if (sublayer instanceof AttentionSublayer attention) {
        narrowAttentions.add(attention.attention());
      }
    }
    fusedKeyValues = new FusedKeyValueProjection(narrowAttentions);
  }

  private static String name(int index, LayerStack.Sublayer kind) {
    String letter = kind == LayerStack.Sublayer.ATTENTION ? "s" : "f";
    return String.format(Locale.ROOT, "sublayer_%02d_%s", index, letter);
  }

  private Block create(LayerStack.Sublayer kind) {
    return kind == LayerStack.Sublayer.ATTENTION
        ? new AttentionSublayer(config)
        : new FeedForward(config);
  }

  /** Runs the stack; see the class comment for shapes. */
  public EncoderOutput encode(
      ParameterStore ps,
      NDArray embeddings,
      NDArray attentionMask,
      QueryPositions queries,
      boolean training) {
    return narrow(ps, fullLength(ps, embeddings, attentionMask, training), queries, training);
  }

  /** The full-length sublayers over all tokens: H at the narrowing point. */
  public FullLengthStates fullLength(
      ParameterStore ps, NDArray embeddings, NDArray attentionMask, boolean training) {
    NDArray additiveMask = additive(attentionMask, embeddings.getDataType()); // (B, 1, 1, L)
    NDArray h = embeddings; // (B, L, d)
    for (Block sublayer : fullSublayers) {
      h =
          scoped(
              h,
              training,
              in ->
                  sublayer
                      .forward(
                          ps,
                          sublayer instanceof AttentionSublayer
                              ? new NDList(in, in, additiveMask)
                              : new NDList(in),
                          training)
                      .head());
    }
    return new FullLengthStates(h, additiveMask);
  }

  /**
   * From the narrowing point on: only the query positions go on, and H stays fixed. Every query is
   * computed independently of the others (its attention reads keys and values from H only), so a
   * query's output does not depend on which other positions are queries.
   */
  public EncoderOutput narrow(
      ParameterStore ps, FullLengthStates context, QueryPositions queries, boolean training) {
    NDArray h = context.states();
    NDArray additiveMask = context.additiveMask();
    NDArray x = queries.gather(h); // (B, M, d)
    if (!stack.isNarrow()) {
      return new EncoderOutput(h, x);
    }
    // K/V of every narrow attention come from H, fused or one by one.
    List<NDArray[]> keyValues =
        config.fusedKeyValue() ? fusedKeyValues.project(ps, h, training) : List.of();
    int attentionIndex = 0;
    for (Block sublayer : narrowSublayers) {
      if (sublayer instanceof AttentionSublayer attention) {
        NDArray[] kv = config.fusedKeyValue() ? keyValues.get(attentionIndex) : null;
        x =
            scoped(
                x,
                training,
                in ->
                    kv != null
                        ? attention.forwardProjected(ps, in, kv[0], kv[1], additiveMask, training)
                        : attention.forward(ps, new NDList(in, h, additiveMask), training).head());
        attentionIndex++;
      } else {
        x = scoped(x, training, in -> sublayer.forward(ps, new NDList(in), training).head());
      }
    }
    return new EncoderOutput(h, x);
  }

  /**
   * Runs one sublayer so that, at inference, its intermediates (attention scores and probabilities,
   * (B, nh, M, L) each, the feed-forward's (B, T, FF)) are freed as soon as it returns instead of
   * when the whole batch's manager closes: peak memory is then one sublayer's intermediates, not
   * the sum over the stack. Training keeps them for the backward pass.
   */
  private static NDArray scoped(
      NDArray input, boolean training, java.util.function.UnaryOperator<NDArray> sublayer) {
    if (training) {
      return sublayer.apply(input);
    }
    NDManager parent = input.getManager();
    try (NDManager scope = parent.newSubManager()) {
      input.tempAttach(scope);
      NDArray output = sublayer.apply(input);
      output.attach(parent);
      return output;
    }
  }

  /** (B, L) of 1/0 -> (B, 1, 1, L) of 0/{@value #MASKED_LOGIT}, in the states' number format. */
  private static NDArray additive(NDArray attentionMask, DataType dataType) {
    Shape s = attentionMask.getShape();
    NDArray padding = attentionMask.toType(dataType, false).neg().add(1f);
    return padding.mul(MASKED_LOGIT).reshape(s.get(0), 1, 1, s.get(1));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    QueryPositions queries = new QueryPositions(inputs.get(2), inputs.get(3));
    EncoderOutput out = encode(ps, inputs.get(0), inputs.get(1), queries, training);
    return new NDList(out.contextStates(), out.queryStates());
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape states = new Shape(1, 1, config.hiddenSize());
    for (Block child : getChildren().values()) {
      child.initialize(manager, dataType, states, states);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape e = inputShapes[0];
    Shape q = inputShapes[2];
    return new Shape[] {e, new Shape(q.get(0), q.get(1), e.get(2))};
  }
}
