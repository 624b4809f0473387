package dev.narrowbert.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a {@link Distillation} matches besides the final states: on which blocks, and how much the
 * heads' soft targets weigh (Hinton et al., 2015, "Distilling the Knowledge in a Neural Network":
 * the KL divergence of temperature-softened output distributions, scaled by T² so that its
 * gradients keep their size as T changes).
 *
 * @param blocks packed corpus blocks, or one review per block as the sentiment head reads it
 * @param headWeight W, the weight of the heads' KL term; 0 keeps the heads frozen and unused
 * @param temperature T, which softens both models' logits before the KL divergence
 */
public record DistillationTargets(
    @JsonProperty("blocks") Blocks blocks,
    @JsonProperty("head_weight") float headWeight,
    @JsonProperty("temperature") float temperature) {

  /** Final states only, on packed blocks: what distillation did before soft targets existed. */
  public static final DistillationTargets STATES_ON_PACKED_BLOCKS =
      new DistillationTargets(Blocks.PACKED, 0f, 2f);

  /** How the corpus is cut into blocks. */
  public enum Blocks {
    /** {@link PackedBlocks}: fixed-length windows of the document stream. */
    PACKED,
    /** {@link ReviewBlocks}: one document per block, head-truncated and padded. */
    REVIEWS;

    @JsonValue
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Blocks fromJson(String name) {
      for (Blocks blocks : values()) {
        if (blocks.jsonName().equals(name)) {
          return blocks;
        }
      }
      throw new IllegalArgumentException(
          "unknown blocks '" + name + "' (expected packed or reviews)");
    }
  }

  public DistillationTargets {
    if (blocks == null) {
      throw new IllegalArgumentException("blocks must be packed or reviews");
    }
    if (!(headWeight >= 0) || Float.isInfinite(headWeight)) {
      throw new IllegalArgumentException("head weight must be >= 0, was " + headWeight);
    }
    if (!(temperature > 0) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0, was " + temperature);
    }
  }

  /** True if the heads' soft targets are part of the loss (and the heads train). */
  public boolean matchesHeads() {
    return headWeight > 0;
  }
}
