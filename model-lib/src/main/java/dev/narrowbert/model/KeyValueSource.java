package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.Map;

/**
 * What an attention sublayer attends to: the keys and values over L positions and the padding mask
 * over L. In BERT ({@code BertSelfAttention} of HF {@code modeling_bert.py}) K and V come from the
 * same states as Q. In NarrowBERT (Li et al., ACL 2023, arXiv 2301.04761, Section 3) every
 * attention after {@code :} takes Q from the query positions x and K, V from the fixed H, either
 * each sublayer with its own two matmuls ({@link #projectedFrom}) or all of them with one ({@link
 * FusedKeyValueProjection}); the two give the same numbers.
 */
public final class KeyValueSource {

  /**
   * Keys and values of one attention sublayer, each (B, L, d) before the split into heads.
   *
   * @param keys K (B, L, d)
   * @param values V (B, L, d)
   */
  public record KeyValues(NDArray keys, NDArray values) {}

  /** Gives the K and V of one attention sublayer whose queries are x. */
  @FunctionalInterface
  private interface Projector {
    KeyValues project(ParameterStore ps, SelfAttention attention, NDArray x, boolean training);
  }

  private final Projector projector;
  private final NDArray additiveMask;

  private KeyValueSource(Projector projector, NDArray additiveMask) {
    this.projector = projector;
    this.additiveMask = additiveMask;
  }

  /**
   * Full-length sublayers (BERT): each attention projects K and V from its own input x, so L = M.
   *
   * @param additiveMask 0 for tokens, a large negative logit for padding, (B, 1, 1, L)
   */
  public static KeyValueSource itself(NDArray additiveMask) {
    return new KeyValueSource(
        (ps, attention, x, training) -> attention.project(ps, x, training), additiveMask);
  }

  /** Narrow sublayers, one by one: each attention projects K and V from H with its own weights. */
  public static KeyValueSource projectedFrom(FullLengthStates context) {
    NDArray h = context.states(); // (B, L, d)
    return new KeyValueSource(
        (ps, attention, x, training) -> attention.project(ps, h, training), context.additiveMask());
  }

  /**
   * Narrow sublayers with K and V computed beforehand ({@link FusedKeyValueProjection}).
   *
   * @param keyValues K and V of every attention that may ask, by identity
   */
  static KeyValueSource precomputed(Map<SelfAttention, KeyValues> keyValues, NDArray additiveMask) {
    return new KeyValueSource(
        (ps, attention, x, training) -> {
          KeyValues projected = keyValues.get(attention);
          if (projected == null) {
            throw new IllegalStateException("no precomputed keys and values for this attention");
          }
          return projected;
        },
        additiveMask);
  }

  /** K and V for {@code attention} when its queries are x (B, M, d); each (B, L, d). */
  public KeyValues keyValues(
      ParameterStore ps, SelfAttention attention, NDArray x, boolean training) {
    return projector.project(ps, attention, x, training);
  }

  /** 0 for tokens, a large negative logit for padding, (B, 1, 1, L). */
  public NDArray additiveMask() {
    return additiveMask;
  }
}
