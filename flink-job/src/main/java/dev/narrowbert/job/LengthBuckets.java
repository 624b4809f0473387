package dev.narrowbert.job;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The batching policy of the job, apart from Flink so that it can be tested and benchmarked on its
 * own: pending items wait in length buckets ({@code bucketWidth} tokens wide), so a batch holds
 * items of similar length and padding to the longest costs little. A bucket closes into a batch
 * when its padded token cost would pass {@code maxBatchTokens}, when it holds {@code maxBatchSize}
 * items, or when its oldest item has waited {@code maxBatchDelayMillis}.
 *
 * @param <T> an item with a token count and an arrival time
 */
public final class LengthBuckets<T> {
  private final List<List<T>> buckets = new ArrayList<>();
  private final int bucketWidth;
  private final int maxBatchTokens;
  private final int maxBatchSize;
  private final long maxBatchDelayMillis;
  private final ToIntFunction<T> tokens;
  private final ToLongFunction<T> arrivedAtMillis;
  private int pending;

  public LengthBuckets(
      int maxLength,
      int bucketWidth,
      int maxBatchTokens,
      int maxBatchSize,
      long maxBatchDelayMillis,
      ToIntFunction<T> tokens,
      ToLongFunction<T> arrivedAtMillis) {
    for (int i = 0; i < (maxLength + bucketWidth - 1) / bucketWidth; i++) {
      buckets.add(new ArrayList<>());
    }
    this.bucketWidth = bucketWidth;
    this.maxBatchTokens = maxBatchTokens;
    this.maxBatchSize = maxBatchSize;
    this.maxBatchDelayMillis = maxBatchDelayMillis;
    this.tokens = tokens;
    this.arrivedAtMillis = arrivedAtMillis;
  }

  /** Adds an item; returns the batches that closed because of it (none, one or two). */
  public List<List<T>> add(T item) {
    int length = tokens.applyAsInt(item);
    List<T> bucket = buckets.get(Math.min(buckets.size() - 1, (length - 1) / bucketWidth));
    List<List<T>> closed = new ArrayList<>(2);
    if (!bucket.isEmpty()
        && (long) (bucket.size() + 1) * Math.max(longest(bucket), length) > maxBatchTokens) {
      closed.add(close(bucket));
    }
    bucket.add(item);
    pending++;
    if (bucket.size() >= maxBatchSize || (long) bucket.size() * longest(bucket) >= maxBatchTokens) {
      closed.add(close(bucket));
    }
    return closed;
  }

  /**
   * Closes every bucket whose oldest item has waited {@code maxBatchDelayMillis} by {@code now}.
   */
  public List<List<T>> due(long now) {
    List<List<T>> closed = new ArrayList<>();
    for (List<T> bucket : buckets) {
      if (!bucket.isEmpty() && deadline(bucket) <= now) {
        closed.add(close(bucket));
      }
    }
    return closed;
  }

  /**
   * Closes the bucket whose oldest item arrived first (the lowest such bucket on a tie), or none
   * when nothing is pending. For a caller that knows its upstream cannot send more until the oldest
   * item is done (a full asynchronous queue).
   */
  public List<T> closeOldest() {
    List<T> oldest = null;
    for (List<T> bucket : buckets) {
      if (!bucket.isEmpty()
          && (oldest == null
              || arrivedAtMillis.applyAsLong(bucket.get(0))
                  < arrivedAtMillis.applyAsLong(oldest.get(0)))) {
        oldest = bucket;
      }
    }
    return oldest == null ? List.of() : close(oldest);
  }

  /** Closes every non-empty bucket. */
  public List<List<T>> drain() {
    List<List<T>> closed = new ArrayList<>();
    for (List<T> bucket : buckets) {
      if (!bucket.isEmpty()) {
        closed.add(close(bucket));
      }
    }
    return closed;
  }

  /** When the next bucket falls due, or {@link Long#MAX_VALUE} when nothing is pending. */
  public long nextDeadline() {
    long next = Long.MAX_VALUE;
    for (List<T> bucket : buckets) {
      if (!bucket.isEmpty()) {
        next = Math.min(next, deadline(bucket));
      }
    }
    return next;
  }

  public int pending() {
    return pending;
  }

  /** Tokens of the longest item: the length every item of the batch is padded to. */
  public int longest(List<T> items) {
    int longest = 0;
    for (T item : items) {
      longest = Math.max(longest, tokens.applyAsInt(item));
    }
    return longest;
  }

  private long deadline(List<T> bucket) {
    return arrivedAtMillis.applyAsLong(bucket.get(0)) + maxBatchDelayMillis;
  }

  private List<T> close(List<T> bucket) {
    List<T> batch = List.copyOf(bucket);
    bucket.clear();
    pending -= batch.size();
    return batch;
  }
}
