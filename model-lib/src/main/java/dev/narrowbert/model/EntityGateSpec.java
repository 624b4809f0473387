package dev.narrowbert.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The entity gate of a model ({@code entity_gate} in config.json): a small head on the full-length
 * states at the narrowing point that scores each word's first sub-token as a possible part of an
 * entity, so that only the words above {@link #threshold} become NER queries of the narrow layers.
 * See {@link EntityGate}.
 *
 * @param hiddenSize width of the gate's hidden layer; 0 means the model has no gate
 * @param threshold gate probability at or above which a word becomes a query, in a text with
 *     capitals
 * @param lowerCaseThreshold the same for a text without capitals (written all in lower case), where
 *     case says nothing and the gate must be less strict to keep its recall
 * @param validationRecall share of the entity words of the validation set that pass the threshold
 *     (what the threshold was chosen for)
 */
public record EntityGateSpec(
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("threshold") float threshold,
    @JsonProperty("lower_case_threshold") float lowerCaseThreshold,
    @JsonProperty("validation_recall") float validationRecall) {

  /** No gate: every word is a query. Models made before the gate existed read as this. */
  public static final EntityGateSpec NONE = new EntityGateSpec(0, 0f, 0f, 0f);

  public EntityGateSpec {
    if (hiddenSize < 0) {
      throw new IllegalArgumentException("entity_gate.hidden_size must be >= 0, was " + hiddenSize);
    }
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException(
          "entity_gate.threshold must be in [0, 1], was " + threshold);
    }
    if (!(lowerCaseThreshold >= 0 && lowerCaseThreshold <= 1)) {
      throw new IllegalArgumentException(
          "entity_gate.lower_case_threshold must be in [0, 1], was " + lowerCaseThreshold);
    }
    if (!(validationRecall >= 0 && validationRecall <= 1)) {
      throw new IllegalArgumentException(
          "entity_gate.validation_recall must be in [0, 1], was " + validationRecall);
    }
  }

  /** The threshold for a text with capitals or without any. */
  public float thresholdFor(boolean textHasCapitals) {
    return textHasCapitals ? threshold : lowerCaseThreshold;
  }

  /** Whether the model has a gate. */
  @JsonIgnore
  public boolean present() {
    return hiddenSize > 0;
  }
}
