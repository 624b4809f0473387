package dev.narrowbert.inference;

import java.util.List;
import java.util.Map;

/**
 * Everything {@link ReviewAnalyzer} says about one review. A part the caller did not ask for (see
 * {@link AnalysisPart}) is empty: sentiment {@code null} with no probabilities, no entities, an
 * embedding of length 0.
 *
 * @param sentiment the most probable sentiment label
 * @param sentimentProbabilities probability of every sentiment label, in config order
 * @param entities entities in text order
 * @param embedding review embedding of hidden size (pooling per the model config)
 * @param tokenCount tokens fed to the model, [CLS] and [SEP] included
 * @param truncated true if the review was cut to the model's maximum length
 */
public record Analysis(
    String sentiment,
    Map<String, Float> sentimentProbabilities,
    List<Entity> entities,
    float[] embedding,
    int tokenCount,
    boolean truncated) {}
