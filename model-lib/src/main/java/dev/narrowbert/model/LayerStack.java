package dev.narrowbert.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The encoder's sublayer sequence in the notation of Li et al., "NarrowBERT" (ACL 2023, arXiv
 * 2301.04761, Section 3): {@code s} is a self-attention sublayer, {@code f} a feed-forward sublayer
 * and {@code :} marks where narrowing starts.
 *
 * <ul>
 *   <li>BERT-12: {@code sf} twelve times, no {@code :}. Every sublayer is full-length.
 *   <li>SparseQueries, k=2: {@code sfsf:} followed by {@code sf} ten times.
 *   <li>ContextFirst: {@code ssssss...:ffffff...}.
 * </ul>
 *
 * <p>What "narrow" means. Let H be the hidden states of all tokens at the {@code :} point, shape
 * (B, L, d), and x the states of the query positions only, shape (B, M, d), initialised to H
 * gathered at the queries. After {@code :}:
 *
 * <ul>
 *   <li>an {@code s} sublayer computes Q from x and K, V from H (its own weights, with the padding
 *       mask over L), then output projection, dropout, residual on x and LayerNorm; it updates x
 *       only. H never changes after {@code :}, so every narrow {@code s} attends to the same H.
 *   <li>an {@code f} sublayer is the usual position-wise feed-forward applied to x only.
 * </ul>
 *
 * <p>Without {@code :} the whole stack is full-length and H is the final output (standard BERT).
 *
 * @param notation the stack as written, e.g. {@code "sfsf:sfsf"}
 * @param full the sublayers applied to all tokens, in order
 * @param narrow the sublayers applied to query positions only, in order (empty without {@code :})
 */
public record LayerStack(String notation, List<Sublayer> full, List<Sublayer> narrow) {

  /** One sublayer kind of the notation. */
  public enum Sublayer {
    /** {@code s}: multi-head self-attention + output projection + residual + LayerNorm. */
    ATTENTION,
    /** {@code f}: dense + GELU + dense + residual + LayerNorm. */
    FEED_FORWARD
  }

  public LayerStack {
    full = List.copyOf(full);
    narrow = List.copyOf(narrow);
  }

  /**
   * Parses and validates the notation.
   *
   * @throws IllegalArgumentException with a one-line reason if the notation is not a usable stack
   */
  public static LayerStack parse(String notation) {
    if (notation == null || notation.isEmpty()) {
      throw new IllegalArgumentException("layer stack is empty: expected e.g. \"sfsf:sfsf\"");
    }
    List<Sublayer> full = new ArrayList<>();
    List<Sublayer> narrow = new ArrayList<>();
    boolean narrowing = false;
    for (int i = 0; i < notation.length(); i++) {
      char c = notation.charAt(i);
      switch (c) {
        case 's' -> (narrowing ? narrow : full).add(Sublayer.ATTENTION);
        case 'f' -> (narrowing ? narrow : full).add(Sublayer.FEED_FORWARD);
        case ':' -> {
          if (narrowing) {
            throw new IllegalArgumentException(
                "layer stack \"" + notation + "\" has more than one ':' (at index " + i + ")");
          }
          narrowing = true;
        }
        default ->
            throw new IllegalArgumentException(
                "layer stack \""
                    + notation
                    + "\" has unknown character '"
                    + c
                    + "' at index "
                    + i
                    + " (allowed: s, f, :)");
      }
    }
    if (!full.contains(Sublayer.ATTENTION)) {
      throw new IllegalArgumentException(
          "layer stack \""
              + notation
              + "\" has no full-length 's' before narrowing: tokens would never see context");
    }
    if (narrowing && narrow.isEmpty()) {
      throw new IllegalArgumentException(
          "layer stack \"" + notation + "\" has nothing after ':' (drop the ':' for plain BERT)");
    }
    return new LayerStack(notation, full, narrow);
  }

  /** {@code sf} repeated {@code layers} times: standard BERT. */
  public static String bert(int layers) {
    return "sf".repeat(layers);
  }

  /** SparseQueries: {@code k} full {@code sf} layers, then {@code layers - k} narrow ones. */
  public static String sparseQueries(int layers, int k) {
    return "sf".repeat(k) + ":" + "sf".repeat(layers - k);
  }

  /**
   * The stack that {@code narrowbert import} and {@code narrowbert distill} give pretrained BERT
   * weights by default: SparseQueries with k = 2 full layers, the setting of the paper's main
   * results, or plain BERT for 2 layers or fewer (nothing would be left to narrow).
   */
  public static String defaultNarrow(int layers) {
    return layers > 2 ? sparseQueries(layers, 2) : bert(layers);
  }

  /** ContextFirst: all attention sublayers full-length, then all feed-forwards narrow. */
  public static String contextFirst(int layers) {
    return "s".repeat(layers) + ":" + "f".repeat(layers);
  }

  /** True if the stack has a {@code :}, i.e. some sublayers run on query positions only. */
  public boolean isNarrow() {
    return !narrow.isEmpty();
  }

  /** Number of narrow attention sublayers, i.e. how many K/V pairs are projected from H. */
  public int narrowAttentionCount() {
    return (int) narrow.stream().filter(s -> s == Sublayer.ATTENTION).count();
  }

  @Override
  public String toString() {
    return notation;
  }
}
