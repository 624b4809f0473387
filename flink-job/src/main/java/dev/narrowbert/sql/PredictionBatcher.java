package dev.narrowbert.sql;

import dev.narrowbert.inference.Analysis;
import dev.narrowbert.job.LengthBuckets;
import dev.narrowbert.job.TokenBudgetBatcher;
import dev.narrowbert.tokenizer.Encoding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.flink.table.data.RowData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The micro-batcher behind {@link BatchingPredictFunction}: rows wait in the streaming job's length
 * buckets ({@link LengthBuckets}, {@value TokenBudgetBatcher#BUCKET_WIDTH} tokens wide) until a
 * bucket is full by token budget or size or its oldest row has waited {@code maxBatchDelay}, as in
 * the job. Then the batch goes through the model and each row's future completes.
 *
 * <p>One more rule, because Flink's asynchronous operator admits at most {@code capacity} rows at a
 * time: when the operator's queue is full, no row can arrive until one completes, so waiting for
 * the delay would only stall the stream. The bucket of the oldest waiting row is then closed at
 * once. In ordered output mode a row holds its place in the queue until every earlier row is done,
 * so the queue is full when {@code capacity} rows have arrived since the oldest waiting one; in
 * unordered mode, when {@code capacity} rows wait.
 *
 * <p>Not thread-safe: every method runs on the one thread that owns the model.
 */
final class PredictionBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionBatcher.class);

  /** Runs a task after a delay on the batcher's thread. */
  interface Scheduler {
    void schedule(Runnable task, long delayMillis);
  }

  /** A row waiting for the model. {@code sequence} counts every row the operator received. */
  record Pending(
      Encoding encoding,
      CompletableFuture<Collection<RowData>> result,
      long sequence,
      long arrivedAtMillis) {

    int tokens() {
      return encoding.tokenCount();
    }
  }

  private final LengthBuckets<Pending> buckets;
  private final TreeSet<Long> waiting = new TreeSet<>();
  private final Function<List<Encoding>, List<Analysis>> model;
  private final OutputColumns columns;
  private final int capacity;
  private final boolean ordered;
  private final LongSupplier received;
  private final LongSupplier clock;
  private final Scheduler scheduler;
  private final BatchingMetrics metrics;
  private long timerAt = Long.MAX_VALUE;

  /**
   * @param model the model on a batch of encodings, results in order
   * @param capacity rows the asynchronous operator admits at a time
   * @param ordered whether the operator emits in input order
   * @param received rows the operator has received so far (the last row's sequence + 1)
   */
  PredictionBatcher(
      NarrowbertModelOptions options,
      int maxLength,
      Function<List<Encoding>, List<Analysis>> model,
      OutputColumns columns,
      int capacity,
      boolean ordered,
      LongSupplier received,
      LongSupplier clock,
      Scheduler scheduler,
      BatchingMetrics metrics) {
    this.buckets =
        new LengthBuckets<>(
            maxLength,
            TokenBudgetBatcher.BUCKET_WIDTH,
            options.maxBatchTokens(),
            options.maxBatchSize(),
            options.maxBatchDelay().toMillis(),
            Pending::tokens,
            Pending::arrivedAtMillis);
    this.model = model;
    this.columns = columns;
    this.capacity = capacity;
    this.ordered = ordered;
    this.received = received;
    this.clock = clock;
    this.scheduler = scheduler;
    this.metrics = metrics;
  }

  void add(Encoding encoding, CompletableFuture<Collection<RowData>> result, long sequence) {
    waiting.add(sequence);
    run(buckets.add(new Pending(encoding, result, sequence, clock.getAsLong())));
    afterChange();
  }

  /** Closes the buckets whose oldest row has waited long enough. */
  void onTimer() {
    timerAt = Long.MAX_VALUE;
    run(buckets.due(clock.getAsLong()));
    afterChange();
  }

  /** Runs everything still waiting (at close). */
  void drain() {
    run(buckets.drain());
  }

  int pending() {
    return buckets.pending();
  }

  private void afterChange() {
    while (operatorQueueFull()) {
      run(List.of(buckets.closeOldest()));
    }
    long next = buckets.nextDeadline();
    if (next < timerAt) {
      timerAt = next;
      scheduler.schedule(this::onTimer, Math.max(0, next - clock.getAsLong()));
    }
  }

  private boolean operatorQueueFull() {
    if (waiting.isEmpty()) {
      return false;
    }
    long occupied = ordered ? received.getAsLong() - waiting.first() : waiting.size();
    return occupied >= capacity;
  }

  private void run(List<List<Pending>> batches) {
    for (List<Pending> batch : batches) {
      List<Encoding> encodings = new ArrayList<>(batch.size());
      for (Pending row : batch) {
        encodings.add(row.encoding());
        waiting.remove(row.sequence());
      }
      long started = System.nanoTime();
      List<Analysis> analyses;
      try {
        analyses = model.apply(encodings);
      } catch (RuntimeException batchFailure) {
        LOG.warn("Batch of {} failed ({}); retrying one by one", batch.size(), batchFailure);
        analyses = null;
      }
      metrics.batch(batch.size(), buckets.longest(batch), System.nanoTime() - started);
      for (int i = 0; i < batch.size(); i++) {
        Pending row = batch.get(i);
        Analysis analysis = analyses != null ? analyses.get(i) : alone(row);
        RowData output = analysis != null ? columns.row(analysis) : columns.nullRow();
        row.result().complete(List.of(output));
      }
    }
  }

  /** A row of a failed batch on its own; null (NULL outputs) if the model fails on it too. */
  private Analysis alone(Pending row) {
    try {
      return model.apply(List.of(row.encoding())).get(0);
    } catch (RuntimeException e) {
      metrics.modelFailure();
      LOG.warn("Model failed on a row of {} tokens; its outputs are NULL: {}", row.tokens(), e);
      return null;
    }
  }
}
