package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * One sublayer of the {@link LayerStack} notation of Li et al., "NarrowBERT" (ACL 2023, arXiv
 * 2301.04761): {@code s} ({@link AttentionSublayer}) or {@code f} ({@link FeedForward}). Together
 * they are one {@code BertLayer} of HF {@code modeling_bert.py}; NarrowBERT runs them as separate
 * steps because after {@code :} an {@code s} reads keys and values from a different tensor than its
 * queries.
 *
 * <p>The encoder runs every sublayer the same way, full-length or narrow: {@code x = forward(x,
 * source)}. Only the {@link KeyValueSource} differs: full-length sublayers attend to x itself,
 * narrow ones to the fixed H at the {@code :} point.
 */
public sealed interface EncoderSublayer extends Block permits AttentionSublayer, FeedForward {

  /**
   * @param x the states this sublayer updates: all tokens (B, L, d) full-length, the query
   *     positions (B, M, d) narrow
   * @param source what an attention sublayer attends to (keys, values and padding mask over L); a
   *     feed-forward sublayer ignores it
   * @return the updated states, the shape of x
   */
  NDArray forward(ParameterStore ps, NDArray x, KeyValueSource source, boolean training);
}
