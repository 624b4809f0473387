package dev.narrowbert.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.AnalysisPart;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.metrics.NeighbourStatistics;
import dev.narrowbert.model.Pooling;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.tokenizer.Encoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.ToIntFunction;
import me.tongfei.progressbar.ProgressBar;

/**
 * {@code narrowbert eval --task embedding}: how well the review embeddings of {@link
 * ReviewAnalyzer} (pooled as each model's config says) group reviews by sentiment. For every
 * review, the share of its K most cosine-similar other reviews that have its label, averaged over
 * reviews ({@link NeighbourStatistics}); beside it the same for a reference model, how much the two
 * models' neighbour sets overlap and how their pairwise similarities correlate, and, when both have
 * the same dimension, the mean cosine between their embeddings of the same review:
 *
 * <pre>{@code
 * {"task":"embedding","examples":N,"sample_of":L,"neighbours":K,"chance_agreement":C,
 *  "pooling":"cls","knn_label_agreement":A,
 *  "reference":{"model":"DIR","pooling":"mean","knn_label_agreement":R},
 *  "neighbour_overlap":O,"similarity_correlation":S,"mean_cosine":M}
 * }</pre>
 */
final class EmbeddingEvaluation {

  private final String device;
  private final Device resolved;
  private final Precision precision;
  private final EvalBatching batching;

  /**
   * @param device the {@code --device} option, which {@link ReviewAnalyzer#open} resolves
   * @param resolved the same, resolved, for the similarity matmuls
   */
  EmbeddingEvaluation(String device, Device resolved, Precision precision, EvalBatching batching) {
    this.device = device;
    this.resolved = resolved;
    this.precision = precision;
    this.batching = batching;
  }

  /**
   * @param reference the reference model directory, or {@code null}
   * @param neighbours K, at most {@code reviews.size() - 1}
   */
  ObjectNode evaluate(ReviewSample reviews, Path model, Path reference, int neighbours)
      throws IOException {
    Embedded ours = embed(model, reviews.texts(), "model");
    Embedded theirs = reference == null ? null : embed(reference, reviews.texts(), "reference");
    NeighbourStatistics statistics =
        new NeighbourStatistics(reviews.labels(), neighbours, theirs != null);
    OptionalDouble meanCosine;
    try (CosineSimilarities similarities =
        new CosineSimilarities(
            resolved, ours.vectors(), theirs == null ? null : theirs.vectors())) {
      similarities.feed(statistics);
      meanCosine = similarities.meanCosine();
    }
    ObjectNode result = JsonLine.tree();
    result.put("task", "embedding");
    result.put("examples", reviews.size());
    result.put("sample_of", reviews.labelled());
    result.put("neighbours", neighbours);
    result.put("chance_agreement", EvalCommand.round(statistics.chanceAgreement()));
    result.put("pooling", ours.pooling().jsonName());
    result.put("knn_label_agreement", EvalCommand.round(statistics.labelAgreement()));
    if (theirs != null) {
      ObjectNode other = result.putObject("reference");
      other.put("model", reference.toString());
      other.put("pooling", theirs.pooling().jsonName());
      other.put("knn_label_agreement", EvalCommand.round(statistics.referenceLabelAgreement()));
      result.put("neighbour_overlap", EvalCommand.round(statistics.neighbourOverlap()));
      result.put("similarity_correlation", EvalCommand.round(statistics.similarityCorrelation()));
    }
    meanCosine.ifPresent(cosine -> result.put("mean_cosine", EvalCommand.round(cosine)));
    return result;
  }

  /** One model's embedding of every review, in review order, and how it was pooled. */
  private record Embedded(float[][] vectors, Pooling pooling) {}

  /**
   * Embeds {@code texts} chunk by chunk: each chunk sorted by token count and cut into batches as
   * {@code eval --task sentiment} does, each embedding put back at its review's index.
   */
  private Embedded embed(Path directory, List<String> texts, String name) throws IOException {
    float[][] vectors = new float[texts.size()][];
    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(directory, device, precision);
        ProgressBar progress = EvalFile.progress("embed " + name, texts.size(), "reviews")) {
      for (int from = 0; from < texts.size(); from += EvalBatching.CHUNK) {
        List<Encoding> encodings = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = from; i < Math.min(texts.size(), from + EvalBatching.CHUNK); i++) {
          encodings.add(analyzer.encode(texts.get(i)));
          order.add(i);
        }
        int first = from;
        ToIntFunction<Integer> tokens = i -> encodings.get(i - first).tokenCount();
        order.sort(Comparator.comparingInt(tokens));
        for (List<Integer> batch : batching.batches(order, tokens)) {
          List<Analysis> analyses =
              analyzer.analyzeEncoded(
                  batch.stream().map(i -> encodings.get(i - first)).toList(),
                  EnumSet.of(AnalysisPart.EMBEDDING));
          for (int b = 0; b < batch.size(); b++) {
            vectors[batch.get(b)] = analyses.get(b).embedding();
          }
          progress.stepBy(batch.size());
        }
      }
      return new Embedded(vectors, analyzer.config().pooling());
    }
  }
}
