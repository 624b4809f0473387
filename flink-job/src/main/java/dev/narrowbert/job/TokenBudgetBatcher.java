package dev.narrowbert.job;

import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Tokenises each review once and groups reviews into {@link ReviewBatch}es that keep the model busy
 * and padding low.
 *
 * <p>Pending reviews wait in length buckets ({@value #BUCKET_WIDTH} tokens wide), so a batch holds
 * reviews of similar length and padding to the longest costs little. A bucket becomes a batch when
 * its padded token cost would pass {@code maxBatchTokens}, when it holds {@code maxBatchSize}
 * reviews, or when its oldest review has waited {@code maxBatchDelay} (a processing-time timer).
 *
 * <p>Exactly once without state: every pending review is flushed downstream in {@link
 * #prepareSnapshotPreBarrier}, before the checkpoint barrier leaves this operator, so a checkpoint
 * never contains a review that is neither in Kafka's committed offsets nor already downstream. The
 * same happens at the end of a bounded input ({@link #endInput}).
 */
public final class TokenBudgetBatcher extends AbstractStreamOperator<ReviewBatch>
    implements OneInputStreamOperator<ValidReview, ReviewBatch>,
        BoundedOneInput,
        ProcessingTimeCallback {

  /** Width of a length bucket in tokens: padding within a batch is below this per review. */
  public static final int BUCKET_WIDTH = 32;

  private final String modelDirectory;
  private final int maxBatchTokens;
  private final int maxBatchSize;
  private final long maxBatchDelayMillis;

  private transient ReviewTokenizer tokenizer;
  private transient List<List<PendingReview>> buckets;
  private transient long timerAt;
  private transient int pending;
  private transient Counter batches;

  public TokenBudgetBatcher(
      Path modelDirectory, int maxBatchTokens, int maxBatchSize, long maxBatchDelayMillis) {
    this.modelDirectory = modelDirectory.toString();
    this.maxBatchTokens = maxBatchTokens;
    this.maxBatchSize = maxBatchSize;
    this.maxBatchDelayMillis = maxBatchDelayMillis;
  }

  @Override
  public void open() throws Exception {
    super.open();
    tokenizer = ReviewTokenizer.forModel(Path.of(modelDirectory));
    int bucketCount = (tokenizer.maxLength() + BUCKET_WIDTH - 1) / BUCKET_WIDTH;
    buckets = new ArrayList<>(bucketCount);
    for (int i = 0; i < bucketCount; i++) {
      buckets.add(new ArrayList<>());
    }
    timerAt = Long.MAX_VALUE;
    batches = getMetricGroup().counter("batches");
    getMetricGroup().gauge("pendingReviews", () -> pending);
  }

  @Override
  public void processElement(StreamRecord<ValidReview> element) {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    Encoding encoding = tokenizer.encode(element.getValue().review().getText());
    PendingReview review = new PendingReview(element.getValue(), encoding, now);
    List<PendingReview> bucket = buckets.get((encoding.tokenCount() - 1) / BUCKET_WIDTH);

    if (!bucket.isEmpty()
        && (long) (bucket.size() + 1) * Math.max(longest(bucket), review.tokens())
            > maxBatchTokens) {
      emit(bucket);
    }
    bucket.add(review);
    pending++;
    if (bucket.size() >= maxBatchSize || (long) bucket.size() * longest(bucket) >= maxBatchTokens) {
      emit(bucket);
    } else if (bucket.size() == 1) {
      scheduleFlush(now + maxBatchDelayMillis);
    }
  }

  /** Flushes every bucket whose oldest review has waited long enough, then re-arms the timer. */
  @Override
  public void onProcessingTime(long time) {
    timerAt = Long.MAX_VALUE;
    long next = Long.MAX_VALUE;
    for (List<PendingReview> bucket : buckets) {
      if (bucket.isEmpty()) {
        continue;
      }
      long due = bucket.get(0).enqueuedAtMillis() + maxBatchDelayMillis;
      if (due <= time) {
        emit(bucket);
      } else {
        next = Math.min(next, due);
      }
    }
    if (next != Long.MAX_VALUE) {
      scheduleFlush(next);
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flushAll();
  }

  @Override
  public void endInput() {
    flushAll();
  }

  @Override
  public void finish() throws Exception {
    flushAll();
    super.finish();
  }

  /** Reviews waiting for a batch (for tests and the gauge). */
  int pendingReviews() {
    return pending;
  }

  private void flushAll() {
    for (List<PendingReview> bucket : buckets) {
      if (!bucket.isEmpty()) {
        emit(bucket);
      }
    }
  }

  private void scheduleFlush(long at) {
    if (at < timerAt) {
      timerAt = at;
      getProcessingTimeService().registerTimer(at, this);
    }
  }

  private void emit(List<PendingReview> bucket) {
    PendingReview[] reviews = bucket.toArray(new PendingReview[0]);
    int tokens = 0;
    for (PendingReview review : reviews) {
      tokens += review.tokens();
    }
    pending -= reviews.length;
    bucket.clear();
    batches.inc();
    output.collect(new StreamRecord<>(new ReviewBatch(reviews, longest(List.of(reviews)), tokens)));
  }

  private static int longest(List<PendingReview> reviews) {
    int longest = 0;
    for (PendingReview review : reviews) {
      longest = Math.max(longest, review.tokens());
    }
    return longest;
  }
}
