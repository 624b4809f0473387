package dev.narrowbert.job;

/**
 * Reviews that go through the model together. The batcher groups reviews of similar length, so
 * padding to the longest stays small.
 *
 * @param reviews the reviews, in arrival order within their length bucket
 * @param longest tokens of the longest review: every review is padded to this length
 * @param tokens real (unpadded) tokens of all reviews together
 */
public record ReviewBatch(PendingReview[] reviews, int longest, int tokens) {

  /** Tokens the model computes, padding included. */
  public long paddedTokens() {
    return (long) longest * reviews.length;
  }

  /** Share of computed tokens that are padding, in [0, 1). */
  public double paddingRatio() {
    return reviews.length == 0 ? 0 : 1.0 - (double) tokens / paddedTokens();
  }
}
