package dev.narrowbert.soak;

import static java.lang.Double.NaN;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.soak.MemoryProbe.Sample;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * Memory samples of one soak phase and what they say: the least-squares slope of heap and RSS
 * against reviews processed, after warm-up (MB per 100,000 reviews; flat means close to 0), and a
 * chart of both curves.
 */
record MemoryCurve(String phase, List<Sample> samples, long warmupReviews) {

  MemoryCurve {
    samples = List.copyOf(samples);
  }

  /** MB per 100,000 reviews of the samples after warm-up; NaN with fewer than two. */
  double slope(ToDoubleFunction<Sample> megabytes) {
    List<Sample> after = afterWarmup();
    if (after.size() < 2) {
      return Double.NaN;
    }
    double n = after.size();
    double meanX = after.stream().mapToDouble(s -> s.reviews() / 1e5).sum() / n;
    double meanY = after.stream().mapToDouble(megabytes).sum() / n;
    double covariance = 0;
    double variance = 0;
    for (Sample s : after) {
      double dx = s.reviews() / 1e5 - meanX;
      covariance += dx * (megabytes.applyAsDouble(s) - meanY);
      variance += dx * dx;
    }
    return variance == 0 ? Double.NaN : covariance / variance;
  }

  List<Sample> afterWarmup() {
    return samples.stream().filter(s -> s.reviews() >= warmupReviews).toList();
  }

  void writeTo(ObjectNode node) {
    List<Sample> after = afterWarmup();
    node.put("samples", samples.size()).put("warmup_reviews", warmupReviews);
    node.put("reviews", samples.isEmpty() ? 0 : samples.get(samples.size() - 1).reviews());
    putNumber(node, "heap_slope_mb_per_100k_reviews", slope(Sample::heapMb));
    putNumber(node, "rss_slope_mb_per_100k_reviews", slope(Sample::rssMb));
    putNumber(node, "heap_mb_min", after.stream().mapToDouble(Sample::heapMb).min().orElse(NaN));
    putNumber(node, "heap_mb_max", after.stream().mapToDouble(Sample::heapMb).max().orElse(NaN));
    putNumber(node, "rss_mb_min", after.stream().mapToDouble(Sample::rssMb).min().orElse(NaN));
    putNumber(node, "rss_mb_max", after.stream().mapToDouble(Sample::rssMb).max().orElse(NaN));
    var curve = node.putArray("curve");
    samples.forEach(
        s ->
            curve
                .addObject()
                .put("seconds", s.seconds())
                .put("reviews", s.reviews())
                .put("heap_mb", s.heapMb())
                .put("rss_mb", s.rssMb()));
  }

  /** JSON has no NaN: an undefined figure (too few samples) is written as null. */
  private static void putNumber(ObjectNode node, String key, double value) {
    if (Double.isNaN(value)) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }

  XYChart chart() {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(420)
            .title(
                String.format(
                    java.util.Locale.ROOT,
                    "%s: heap %+.1f MB, RSS %+.1f MB per 100k reviews after warm-up",
                    phase,
                    slope(Sample::heapMb),
                    slope(Sample::rssMb)))
            .xAxisTitle("reviews processed")
            .yAxisTitle("MB")
            .build();
    List<Double> x = samples.stream().map(s -> (double) s.reviews()).toList();
    chart.addSeries("heap after GC", x, samples.stream().map(Sample::heapMb).toList());
    chart.addSeries("process RSS", x, samples.stream().map(Sample::rssMb).toList());
    return chart;
  }
}
