package dev.narrowbert.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.tokenizer.Encoding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

/** The micro-batcher's policy, on a fake model that echoes each row's token count. */
class PredictionBatcherTest {
  private static final long DELAY = 100;

  private final List<List<Integer>> batches = new ArrayList<>();
  private final List<Runnable> timers = new ArrayList<>();
  private final AtomicLong now = new AtomicLong(1_000);
  private final AtomicLong received = new AtomicLong();
  private int failOnTokens = -1;

  @Test
  void runsABatchWhenItHoldsMaxBatchSizeRows() {
    PredictionBatcher batcher = batcher(4, 1000, true);

    List<CompletableFuture<Collection<RowData>>> rows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      rows.add(add(batcher, 10));
    }

    assertThat(batches).containsExactly(List.of(10, 10, 10, 10));
    assertThat(rows).allSatisfy(row -> assertThat(tokens(row)).isEqualTo(10));
  }

  @Test
  void runsAPartialBatchWhenItsOldestRowHasWaitedTheDelay() {
    PredictionBatcher batcher = batcher(64, 1000, true);
    CompletableFuture<Collection<RowData>> first = add(batcher, 10);
    now.addAndGet(40);
    CompletableFuture<Collection<RowData>> second = add(batcher, 12);
    assertThat(batches).isEmpty();

    now.addAndGet(DELAY - 40);
    fireTimers();

    assertThat(batches).containsExactly(List.of(10, 12));
    assertThat(tokens(first)).isEqualTo(10);
    assertThat(tokens(second)).isEqualTo(12);
  }

  @Test
  void runsTheOldestRowsBucketAtOnceWhenTheOrderedQueueIsFull() {
    PredictionBatcher batcher = batcher(64, 3, true);
    add(batcher, 10); // bucket 0
    now.incrementAndGet();
    add(batcher, 100); // bucket 3
    assertThat(batches).isEmpty();

    add(batcher, 100); // 3 rows in the operator's queue: nothing more can arrive

    // The oldest row goes at once; the two after it still fit in a queue of 3 behind nothing.
    assertThat(batches).containsExactly(List.of(10));
    assertThat(batcher.pending()).isEqualTo(2);
  }

  @Test
  void countsRowsAnsweredWithoutTheModelAsHoldingTheirPlaceInAnOrderedQueue() {
    PredictionBatcher batcher = batcher(64, 3, true);
    add(batcher, 10);
    received.addAndGet(2); // two NULL texts, completed at once but behind the first in order

    add(batcher, 10);

    assertThat(batches).containsExactly(List.of(10, 10));
  }

  @Test
  void inUnorderedModeOnlyWaitingRowsFillTheQueue() {
    PredictionBatcher batcher = batcher(64, 3, false);
    add(batcher, 10);
    received.addAndGet(5); // answered at once and already emitted
    add(batcher, 100);
    assertThat(batches).isEmpty();

    add(batcher, 200);

    assertThat(batches).containsExactly(List.of(10));
  }

  @Test
  void retriesAFailedBatchRowByRowAndGivesNullOutputsOnlyToTheRowTheModelFailsOn() {
    PredictionBatcher batcher = batcher(3, 1000, true);
    failOnTokens = 13;
    CompletableFuture<Collection<RowData>> good = add(batcher, 12);
    CompletableFuture<Collection<RowData>> bad = add(batcher, 13);
    CompletableFuture<Collection<RowData>> alsoGood = add(batcher, 14);

    assertThat(batches).containsExactly(List.of(12, 13, 14), List.of(12), List.of(13), List.of(14));
    assertThat(tokens(good)).isEqualTo(12);
    assertThat(tokens(alsoGood)).isEqualTo(14);
    assertThat(bad.join()).singleElement().satisfies(row -> assertThat(row.isNullAt(0)).isTrue());
  }

  private PredictionBatcher batcher(int maxBatchSize, int capacity, boolean ordered) {
    NarrowbertModelOptions options =
        new NarrowbertModelOptions(
            "model",
            "cpu",
            Precision.FP32,
            true,
            8192,
            maxBatchSize,
            Duration.ofMillis(DELAY),
            1000,
            1);
    OutputColumns columns =
        OutputColumns.of(
            ResolvedSchema.physical(List.of("text"), List.of(DataTypes.STRING())),
            ResolvedSchema.physical(
                List.of("sentiment", "tokens"), List.of(DataTypes.STRING(), DataTypes.INT())));
    return new PredictionBatcher(
        options,
        256,
        this::model,
        columns,
        capacity,
        ordered,
        received::get,
        now::get,
        (task, delay) -> timers.add(task),
        new BatchingMetrics(new UnregisteredMetricsGroup()));
  }

  private CompletableFuture<Collection<RowData>> add(PredictionBatcher batcher, int tokens) {
    CompletableFuture<Collection<RowData>> result = new CompletableFuture<>();
    Encoding encoding =
        new Encoding(
            "x", new int[tokens], new int[tokens], new int[tokens], new int[tokens], false);
    batcher.add(encoding, result, received.getAndIncrement());
    return result;
  }

  private void fireTimers() {
    List<Runnable> due = new ArrayList<>(timers);
    timers.clear();
    due.forEach(Runnable::run);
  }

  private List<Analysis> model(List<Encoding> encodings) {
    List<Integer> lengths = encodings.stream().map(Encoding::tokenCount).toList();
    batches.add(lengths);
    if (lengths.contains(failOnTokens)) {
      throw new IllegalStateException("the model fails on " + failOnTokens + " tokens");
    }
    return lengths.stream()
        .map(
            n ->
                new Analysis("positive", Map.of("positive", 1f), List.of(), new float[0], n, false))
        .toList();
  }

  private static int tokens(CompletableFuture<Collection<RowData>> row) {
    assertThat(row).isDone();
    return row.join().iterator().next().getInt(1);
  }
}
