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
 * <p>Both parts are the same loop over {@link EncoderSublayer}s ({@code x = sublayer.forward(x,
 * source)}); they differ only in the {@link KeyValueSource} their attentions read: x itself
 * full-length, H after {@code :} (projected per sublayer or, with {@code fused_key_value}, by one
 * {@link FusedKeyValueProjection}, chosen once here).
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

  /** Where the narrow attentions get K and V from H; see {@link KeyValueSource}. */
  @FunctionalInterface
  private interface NarrowKeyValues {
    KeyValueSource from(ParameterStore ps, FullLengthStates context, boolean training);
  }

  private final NarrowBertConfig config;
  private final List<EncoderSublayer> fullSublayers = new ArrayList<>();
  private final List<EncoderSublayer> narrowSublayers = new ArrayList<>();
  private final NarrowKeyValues narrowKeyValues;

  public NarrowEncoder(NarrowBertConfig config) {
    this.config = config;
    LayerStack stack = config.stack();
    int index = 0;
    for (LayerStack.Sublayer kind : stack.full()) {
      fullSublayers.add(addChildBlock(name(index++, kind), create(kind)));
    }
    List<SelfAttention> narrowAttentions = new ArrayList<>();
    for (LayerStack.Sublayer kind : stack.narrow()) {
      EncoderSublayer sublayer = addChildBlock(name(index++, kind), create(kind));
      narrowSublayers.add(sublayer);
      if (sublayer instanceof AttentionSublayer attention) {
        narrowAttentions.add(attention.attention());
      }
    }
    // Chosen once: the flag changes how K and V are computed, never the weights or the numbers.
    if (config.fusedKeyValue()) {
      narrowKeyValues = new FusedKeyValueProjection(narrowAttentions)::project;
    } else {
      narrowKeyValues = (ps, context, training) -> KeyValueSource.projectedFrom(context);
    }
  }

  private static String name(int index, LayerStack.Sublayer kind) {
    String letter = kind == LayerStack.Sublayer.ATTENTION ? "s" : "f";
    return String.format(Locale.ROOT, "sublayer_%02d_%s", index, letter);
  }

  private EncoderSublayer create(LayerStack.Sublayer kind) {
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
    KeyValueSource itself = KeyValueSource.itself(additiveMask); // BERT: K, V from h too
    NDArray h = run(ps, fullSublayers, embeddings, itself, training); // (B, L, d)
    return new FullLengthStates(h, additiveMask);
  }

  /**
   * From the narrowing point on: only the query positions go on, and H stays fixed. Every query is
   * computed independently of the others (its attention reads keys and values from H only), so a
   * query's output does not depend on which other positions are queries.
   */
  public EncoderOutput narrow(
      ParameterStore ps, FullLengthStates context, QueryPositions queries, boolean training) {
    NDArray x = queries.gather(context.states()); // (B, M, d)
    KeyValueSource fromH = narrowKeyValues.from(ps, context, training); // fused: one GEMM here
    x = run(ps, narrowSublayers, x, fromH, training); // (B, M, d)
    return new EncoderOutput(context.states(), x);
  }

  /** x through each sublayer in order, every one attending to {@code source}. */
  private static NDArray run(
      ParameterStore ps,
      List<EncoderSublayer> sublayers,
      NDArray x,
      KeyValueSource source,
      boolean training) {
    for (EncoderSublayer sublayer : sublayers) {
      x = scoped(x, training, in -> sublayer.forward(ps, in, source, training));
    }
    return x;
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
