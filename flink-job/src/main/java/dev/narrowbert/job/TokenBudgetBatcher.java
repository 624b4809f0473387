package dev.narrowbert.job;

import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Tokenises each review once and groups reviews into {@link ReviewBatch}es that keep the model busy
 * and padding low, by the policy of {@link LengthBuckets} ({@value #BUCKET_WIDTH}-token buckets;
 * {@code maxBatchDelay} is a processing-time timer).
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
  private transient LengthBuckets<PendingReview> buckets;
  private transient long timerAt;
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
    tokenizer = ModelDirectory.readTokenizer(Path.of(modelDirectory));
    buckets =
        new LengthBuckets<>(
            tokenizer.maxLength(),
            BUCKET_WIDTH,
            maxBatchTokens,
            maxBatchSize,
            maxBatchDelayMillis,
            PendingReview::tokens,
            PendingReview::enqueuedAtMillis);
    timerAt = Long.MAX_VALUE;
    batches = getMetricGroup().counter("batches");
    getMetricGroup().gauge("pendingReviews", () -> buckets.pending());
  }

  @Override
  public void processElement(StreamRecord<ValidReview> element) {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    Encoding encoding = tokenizer.encode(element.getValue().review().getText());
    emit(buckets.add(new PendingReview(element.getValue(), encoding, now)));
    scheduleFlush(buckets.nextDeadline());
  }

  /** Flushes every bucket whose oldest review has waited long enough, then re-arms the timer. */
  @Override
  public void onProcessingTime(long time) {
    timerAt = Long.MAX_VALUE;
    emit(buckets.due(time));
    scheduleFlush(buckets.nextDeadline());
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    emit(buckets.drain());
  }

  @Override
  public void endInput() {
    emit(buckets.drain());
  }

  @Override
  public void finish() throws Exception {
    emit(buckets.drain());
    super.finish();
  }

  /** Reviews waiting for a batch (for tests and the gauge). */
  int pendingReviews() {
    return buckets.pending();
  }

  private void scheduleFlush(long at) {
    if (at < timerAt) {
      timerAt = at;
      getProcessingTimeService().registerTimer(at, this);
    }
  }

  private void emit(List<List<PendingReview>> closed) {
    for (List<PendingReview> batch : closed) {
      int tokens = 0;
      for (PendingReview review : batch) {
        tokens += review.tokens();
      }
      batches.inc();
      output.collect(
          new StreamRecord<>(
              new ReviewBatch(
                  batch.toArray(new PendingReview[0]), buckets.longest(batch), tokens)));
    }
  }
}
