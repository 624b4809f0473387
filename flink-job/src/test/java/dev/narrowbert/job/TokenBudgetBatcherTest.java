package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenBudgetBatcherTest {
  private OneInputStreamOperatorTestHarness<ValidReview, ReviewBatch> harness;
  private TokenBudgetBatcher batcher;

  private void open(int maxTokens, int maxSize, long delayMillis) throws Exception {
    batcher = new TokenBudgetBatcher(TestModels.tiny(), maxTokens, maxSize, delayMillis);
    harness = new OneInputStreamOperatorTestHarness<>(batcher);
    harness.setProcessingTime(0);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private void send(String id, int words) throws Exception {
    harness.processElement(new StreamRecord<>(Reviews.valid(id, Reviews.words(words))));
  }

  private List<ReviewBatch> batches() {
    return harness.extractOutputValues();
  }

  private static List<String> ids(ReviewBatch batch) {
    return Arrays.stream(batch.reviews()).map(r -> r.review().review().getReviewId()).toList();
  }

  @Test
  void closesABatchWhenItHoldsMaxBatchSizeReviews() throws Exception {
    open(100_000, 3, 60_000);
    for (int i = 0; i < 7; i++) {
      send("r" + i, 5);
    }
    assertThat(batches()).hasSize(2);
    assertThat(ids(batches().get(0))).containsExactly("r0", "r1", "r2");
    assertThat(ids(batches().get(1))).containsExactly("r3", "r4", "r5");
    assertThat(batcher.pendingReviews()).isEqualTo(1);
  }

  @Test
  void closesABatchBeforeItsPaddedTokenCostPassesTheBudget() throws Exception {
    open(100, 1000, 60_000); // 12-token reviews: 8 of them fit (96), a 9th would make 108
    for (int i = 0; i < 9; i++) {
      send("r" + i, 10);
    }
    assertThat(batches()).hasSize(1);
    ReviewBatch batch = batches().get(0);
    assertThat(batch.reviews()).hasSize(8);
    assertThat(batch.paddedTokens()).isLessThanOrEqualTo(100);
    assertThat(batch.longest()).isEqualTo(12); // [CLS] + 10 words + [SEP]
  }

  @Test
  void closesABatchWhenItsOldestReviewHasWaitedMaxBatchDelay() throws Exception {
    open(100_000, 1000, 50);
    send("early", 5);
    harness.setProcessingTime(30);
    send("later", 5);
    assertThat(batches()).isEmpty();

    harness.setProcessingTime(50);
    assertThat(batches())
        .singleElement()
        .satisfies(b -> assertThat(ids(b)).containsExactly("early", "later"));
    assertThat(batcher.pendingReviews()).isZero();
    assertThat(harness.getProcessingTimeService().getNumActiveTimers()).isZero();
  }

  @Test
  void groupsReviewsOfSimilarLengthSoPaddingStaysLow() throws Exception {
    open(100_000, 2, 60_000);
    send("short-1", 20);
    send("long-1", 100);
    send("short-2", 24);
    send("long-2", 110);

    assertThat(batches()).hasSize(2);
    assertThat(ids(batches().get(0))).containsExactly("short-1", "short-2");
    assertThat(ids(batches().get(1))).containsExactly("long-1", "long-2");
    assertThat(batches()).allSatisfy(b -> assertThat(b.paddingRatio()).isLessThan(0.1));
  }

  @Test
  void flushesEveryPendingReviewBeforeTheCheckpointBarrier() throws Exception {
    open(100_000, 1000, 60_000);
    send("a", 3);
    send("b", 40);
    send("c", 90);
    assertThat(batches()).isEmpty();

    harness.prepareSnapshotPreBarrier(1);

    assertThat(batches())
        .flatExtracting(TokenBudgetBatcherTest::ids)
        .containsExactlyInAnyOrder("a", "b", "c");
    assertThat(batcher.pendingReviews()).isZero();
  }

  @Test
  void flushesAtTheEndOfABoundedInput() throws Exception {
    open(100_000, 1000, 60_000);
    send("last", 3);
    harness.endInput();
    assertThat(batches()).flatExtracting(TokenBudgetBatcherTest::ids).containsExactly("last");
  }

  @Test
  void tokenisesOnceAndKeepsOffsetsIntoTheOriginalText() throws Exception {
    open(100_000, 1, 60_000);
    harness.processElement(new StreamRecord<>(Reviews.valid("r", "Loved it!<br />Paris")));
    var pending = batches().get(0).reviews()[0];
    var encoding = pending.encoding();
    int last = encoding.tokenCount() - 2; // the token before [SEP]
    assertThat(encoding.text().substring(encoding.starts()[last], encoding.ends()[last]))
        .isEqualTo("Paris");
  }
}
