package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Projects K and V of every narrow attention sublayer with one matmul. In NarrowBERT all narrow
 * sublayers attend to the same H (Li et al., 2023, Section 3), so their 2·n key/value projections
 * can be stacked into one (2·d·n, d) weight and applied to H once: one large GEMM instead of 2·n
 * small ones over the long axis L.
 *
 * <p>The stacked weight is built from the sublayers' own {@code key}/{@code value} parameters on
 * every call (cheap: 2·n·d² copies versus 2·n·d²·B·L multiply-adds), so the checkpoint format does
 * not depend on the flag and gradients flow back to each sublayer's parameters.
 */
public final class FusedKeyValueProjection {

  private final List<SelfAttention> narrowAttentions;

  public FusedKeyValueProjection(List<SelfAttention> narrowAttentions) {
    this.narrowAttentions = List.copyOf(narrowAttentions);
  }

  /**
   * Projects K and V of every narrow attention from H at once.
   *
   * @param context H (B, L, d) and its padding mask
   * @return the source the narrow sublayers read their K and V from, each (B, L, d)
   */
  public KeyValueSource project(ParameterStore ps, FullLengthStates context, boolean training) {
    NDArray h = context.states(); // (B, L, d)
    Map<SelfAttention, KeyValueSource.KeyValues> keyValues = new IdentityHashMap<>();
    if (!narrowAttentions.isEmpty()) {
      NDList chunks = projectAll(ps, h, training); // 2·n × (B, L, d)
      for (int i = 0; i < narrowAttentions.size(); i++) {
        keyValues.put(
            narrowAttentions.get(i),
            new KeyValueSource.KeyValues(chunks.get(2 * i), chunks.get(2 * i + 1)));
      }
    }
    return KeyValueSource.precomputed(keyValues, context.additiveMask());
  }

  /** One GEMM over H with the stacked weights, split back into K1, V1, K2, V2, ... */
  private NDList projectAll(ParameterStore ps, NDArray h, boolean training) {
    NDList weights = new NDList();
    NDList biases = new NDList();
    for (SelfAttention attention : narrowAttentions) {
      for (Linear projection : List.of(attention.key(), attention.value())) {
        weights.add(value(ps, projection, "weight", h, training)); // (d, d)
        biases.add(value(ps, projection, "bias", h, training)); // (d)
      }
    }
    // The concatenations would belong to the parameters' manager; keep them in the call's scope.
    NDArray weight = NDArrays.concat(weights, 0); // (2·n·d, d)
    NDArray bias = NDArrays.concat(biases, 0); // (2·n·d)
    weight.attach(h.getManager());
    bias.attach(h.getManager());
    NDArray projected = Linear.linear(h, weight, bias).head(); // (B, L, 2·n·d)
    return projected.split(2L * narrowAttentions.size(), 2); // 2·n × (B, L, d)
  }

  private static NDArray value(
      ParameterStore ps, Linear projection, String name, NDArray h, boolean training) {
    Parameter parameter = projection.getParameters().get(name);
    return ps.getValue(parameter, h.getDevice(), training);
  }
}
