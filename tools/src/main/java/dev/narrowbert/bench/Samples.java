package dev.narrowbert.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;

/**
 * The rounds of one measured quantity (e.g. tokens/s of one configuration), with the median we
 * report and the spread (min, max) that says how noisy the machine was.
 */
public record Samples(double[] values) {

  public Samples {
    if (values.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    values = values.clone();
  }

  public static Samples of(List<Double> values) {
    return new Samples(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  public double median() {
    double[] sorted = sorted();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  public double min() {
    return sorted()[0];
  }

  public double max() {
    return sorted()[values.length - 1];
  }

  /** Writes {@code median}, {@code min}, {@code max} and {@code rounds} into {@code node}. */
  public ObjectNode writeTo(ObjectNode node) {
    node.put("median", median()).put("min", min()).put("max", max());
    node.putArray("rounds").addAll(Arrays.stream(values).mapToObj(node::numberNode).toList());
    return node;
  }

  private double[] sorted() {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted;
  }
}
