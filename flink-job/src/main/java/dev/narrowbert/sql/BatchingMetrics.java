package dev.narrowbert.sql;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Metrics of one subtask's {@link BatchingPredictFunction}, named like the streaming job's: {@code
 * batches}, {@code analyzedReviews}, {@code notAnalyzed} (NULL, blank or too long text), {@code
 * modelFailures}, histograms {@code batchSize}, {@code batchTokens} (padded) and {@code
 * inferenceMillisPerBatch}.
 */
final class BatchingMetrics {
  private static final int HISTOGRAM_WINDOW = 1024;

  private final Counter batches;
  private final Counter analyzed;
  private final Counter notAnalyzed;
  private final Counter modelFailures;
  private final Histogram batchSize;
  private final Histogram batchTokens;
  private final Histogram inferenceMillis;

  BatchingMetrics(MetricGroup group) {
    batches = group.counter("batches");
    analyzed = group.counter("analyzedReviews");
    notAnalyzed = group.counter("notAnalyzed");
    modelFailures = group.counter("modelFailures");
    batchSize = histogram(group, "batchSize");
    batchTokens = histogram(group, "batchTokens");
    inferenceMillis = histogram(group, "inferenceMillisPerBatch");
  }

  void batch(int rows, int longest, long nanos) {
    batches.inc();
    analyzed.inc(rows);
    batchSize.update(rows);
    batchTokens.update((long) rows * longest);
    inferenceMillis.update(nanos / 1_000_000);
  }

  void notAnalyzed() {
    notAnalyzed.inc();
  }

  void modelFailure() {
    modelFailures.inc();
  }

  long batches() {
    return batches.getCount();
  }

  long analyzed() {
    return analyzed.getCount();
  }

  long notAnalyzedCount() {
    return notAnalyzed.getCount();
  }

  private static Histogram histogram(MetricGroup group, String name) {
    return group.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
  }
}
