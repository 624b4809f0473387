package dev.narrowbert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.AnalysisPart;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.inference.ReviewAnalyzer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * The k-NN label agreement of {@code eval --task embedding} computed the slow, obvious way: every
 * review embedded alone, cosines in double, neighbours by a stable sort (ties to the lower index).
 */
final class BruteForceNeighbours {

  private static final ObjectMapper JSON = new ObjectMapper();

  private BruteForceNeighbours() {}

  /** k-NN label agreement from the analyzer's embeddings, one review at a time, in double. */
  static double labelAgreement(Path model, Path data, int k) throws Exception {
    List<String> texts = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (String line : Files.readAllLines(data)) {
      JsonNode review = JSON.readTree(line);
      if (!review.get("label").isNull()) {
        texts.add(review.get("text").asText());
        labels.add(review.get("label").asInt());
      }
    }
    double[][] unit = new double[texts.size()][];
    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(model, "cpu", Precision.FP32)) {
      for (int i = 0; i < texts.size(); i++) {
        Analysis analysis =
            analyzer
                .analyzeEncoded(
                    List.of(analyzer.encode(texts.get(i))), EnumSet.of(AnalysisPart.EMBEDDING))
                .get(0);
        unit[i] = unitVector(analysis.embedding());
      }
    }
    double total = 0;
    for (int i = 0; i < unit.length; i++) {
      int self = i;
      double[] cosine = Arrays.stream(unit).mapToDouble(v -> dot(unit[self], v)).toArray();
      int same =
          (int)
              Stream.iterate(0, j -> j + 1)
                  .limit(unit.length)
                  .filter(j -> j != self)
                  .sorted((a, b) -> Double.compare(cosine[b], cosine[a]))
                  .limit(k)
                  .filter(j -> labels.get(j).equals(labels.get(self)))
                  .count();
      total += (double) same / k;
    }
    return total / unit.length;
  }

  private static double[] unitVector(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    double[] unit = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      unit[i] = v[i] / Math.sqrt(norm);
    }
    return unit;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
