package dev.narrowbert.bench;

import dev.narrowbert.model.LayerStack.Sublayer;
import dev.narrowbert.model.NarrowBertConfig;

/**
 * Analytic forward-pass FLOPs of one example (a multiply-add counts 2), so a benchmark can print
 * the speedup the arithmetic allows beside the one it measured. Counts the matrix products only
 * (projections, attention scores and weighted sums, feed-forward, heads); softmax, LayerNorm, GELU,
 * embeddings and the optimizer are memory-bound and left out, which is why measured ratios can
 * exceed these. The backward pass costs about twice the forward one for every product, so the same
 * ratio holds for a training step.
 *
 * <p>With d = hidden size, F = feed-forward width, L = tokens and M = query positions (Li et al.,
 * 2023, Section 3):
 *
 * <ul>
 *   <li>full {@code s}: Q, K, V, O projections 8·L·d² + scores and weighted sum 4·L²·d;
 *   <li>full {@code f}: 4·L·d·F;
 *   <li>narrow {@code s}: K, V over all tokens 4·L·d², Q, O at the queries 4·M·d², attention
 *       4·M·L·d;
 *   <li>narrow {@code f}: 4·M·d·F;
 *   <li>MLM head at the M positions: transform 2·M·d², tied decoder 2·M·d·V; sentiment head on
 *       [CLS]: pooler 2·d² and classifier 2·d·labels.
 * </ul>
 */
public final class FlopCount {

  /** Which head runs after the encoder. */
  public enum Head {
    MASKED_LM,
    SENTIMENT
  }

  private FlopCount() {}

  /**
   * @param length tokens per example, L
   * @param queries output positions per example, M (masked tokens, or 1 for [CLS])
   */
  public static double forward(NarrowBertConfig config, int length, int queries, Head head) {
    double d = config.hiddenSize();
    double ff = config.intermediateSize();
    double l = length;
    double m = queries;
    double flops = 0;
    for (Sublayer sublayer : config.stack().full()) {
      flops += sublayer == Sublayer.ATTENTION ? 8 * l * d * d + 4 * l * l * d : 4 * l * d * ff;
    }
    for (Sublayer sublayer : config.stack().narrow()) {
      flops +=
          sublayer == Sublayer.ATTENTION
              ? 4 * l * d * d + 4 * m * d * d + 4 * m * l * d
              : 4 * m * d * ff;
    }
    return flops
        + switch (head) {
          case MASKED_LM -> 2 * m * d * d + 2 * m * d * config.vocabSize();
          case SENTIMENT -> 2 * d * d + 2 * d * config.sentimentLabels().size();
        };
  }
}
