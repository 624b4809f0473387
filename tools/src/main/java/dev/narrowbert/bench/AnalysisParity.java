package dev.narrowbert.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.inference.Analysis;
import java.util.List;
import java.util.Map;

/**
 * How far apart two runs of the same reviews are, e.g. the CPU and a GPU, or fp32 and fp16.
 *
 * <p>{@link Analysis} carries sentiment probabilities, not logits; their logarithms minus their
 * mean over the labels equal the logits minus theirs, so {@code maxLogitDifference} compares the
 * logits up to the per-review constant that softmax ignores anyway.
 *
 * @param reviews how many reviews were compared
 * @param maxLogitDifference largest |difference| of a centred sentiment logit
 * @param maxProbabilityDifference largest |difference| of a sentiment probability
 * @param maxEmbeddingDifference largest |difference| of an embedding component
 * @param embeddingScale largest |component| of the expected embeddings, to read the above against
 * @param minEmbeddingCosine smallest cosine similarity of a review's two embeddings
 * @param labelAgreement fraction of reviews with the same sentiment label
 * @param entityAgreement fraction of reviews with the same entities (type and span)
 */
public record AnalysisParity(
    int reviews,
    double maxLogitDifference,
    double maxProbabilityDifference,
    double maxEmbeddingDifference,
    double embeddingScale,
    double minEmbeddingCosine,
    double labelAgreement,
    double entityAgreement) {

  /** Compares {@code actual} with {@code expected}, review by review (same order, same model). */
  public static AnalysisParity of(List<Analysis> expected, List<Analysis> actual) {
    if (expected.size() != actual.size() || expected.isEmpty()) {
      throw new IllegalArgumentException(
          "need the same, non-zero number of analyses, got "
              + expected.size()
              + " and "
              + actual.size());
    }
    double logit = 0;
    double probability = 0;
    double embedding = 0;
    double scale = 0;
    double cosine = 1;
    int sameLabel = 0;
    int sameEntities = 0;
    for (int r = 0; r < expected.size(); r++) {
      Analysis e = expected.get(r);
      Analysis a = actual.get(r);
      double[] expectedLogits = centredLogits(e.sentimentProbabilities());
      double[] actualLogits = centredLogits(a.sentimentProbabilities());
      double[] expectedProbabilities = values(e.sentimentProbabilities());
      double[] actualProbabilities = values(a.sentimentProbabilities());
      for (int c = 0; c < expectedLogits.length; c++) {
        logit = Math.max(logit, Math.abs(expectedLogits[c] - actualLogits[c]));
        probability =
            Math.max(probability, Math.abs(expectedProbabilities[c] - actualProbabilities[c]));
      }
      double dot = 0;
      double expectedNorm = 0;
      double actualNorm = 0;
      for (int i = 0; i < e.embedding().length; i++) {
        embedding = Math.max(embedding, Math.abs(e.embedding()[i] - a.embedding()[i]));
        scale = Math.max(scale, Math.abs(e.embedding()[i]));
        dot += (double) e.embedding()[i] * a.embedding()[i];
        expectedNorm += (double) e.embedding()[i] * e.embedding()[i];
        actualNorm += (double) a.embedding()[i] * a.embedding()[i];
      }
      cosine = Math.min(cosine, dot / Math.sqrt(expectedNorm * actualNorm));
      sameLabel += e.sentiment().equals(a.sentiment()) ? 1 : 0;
      sameEntities += spans(e).equals(spans(a)) ? 1 : 0;
    }
    int n = expected.size();
    return new AnalysisParity(
        n,
        logit,
        probability,
        embedding,
        scale,
        cosine,
        sameLabel / (double) n,
        sameEntities / (double) n);
  }

  /** log p - mean(log p) over the labels: the logits minus their mean. */
  private static double[] centredLogits(Map<String, Float> probabilities) {
    double[] logs = values(probabilities);
    double mean = 0;
    for (int c = 0; c < logs.length; c++) {
      logs[c] = Math.log(Math.max(logs[c], Float.MIN_VALUE));
      mean += logs[c] / logs.length;
    }
    for (int c = 0; c < logs.length; c++) {
      logs[c] -= mean;
    }
    return logs;
  }

  private static double[] values(Map<String, Float> probabilities) {
    return probabilities.values().stream().mapToDouble(Float::doubleValue).toArray();
  }

  /** Entities without their scores, which differ in the last digits between devices. */
  private static List<String> spans(Analysis analysis) {
    return analysis.entities().stream()
        .map(entity -> entity.type() + "@" + entity.start() + "-" + entity.end())
        .toList();
  }

  public ObjectNode writeTo(ObjectNode node) {
    return node.put("reviews", reviews)
        .put("max_logit_difference", maxLogitDifference)
        .put("max_probability_difference", maxProbabilityDifference)
        .put("max_embedding_difference", maxEmbeddingDifference)
        .put("embedding_scale", embeddingScale)
        .put("min_embedding_cosine", minEmbeddingCosine)
        .put("label_agreement", labelAgreement)
        .put("entity_agreement", entityAgreement);
  }
}
