package dev.narrowbert.inference;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a caller wants from {@link ReviewAnalyzer}: parts not asked for are not computed. Leaving
 * out {@link #ENTITIES} saves the most, because the narrow layers then compute only the [CLS] query
 * instead of one query per word (NarrowBERT's cost grows with the number of query positions).
 */
public enum AnalysisPart {
  /** Sentiment label and probabilities (the [CLS] query and the sentiment head). */
  SENTIMENT,
  /** Named entities (a query per word and the entity head). */
  ENTITIES,
  /** The review embedding. */
  EMBEDDING;

  /** Every part. */
  public static Set<AnalysisPart> all() {
    return EnumSet.allOf(AnalysisPart.class);
  }
}
