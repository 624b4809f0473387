package dev.narrowbert.job;

import dev.narrowbert.tokenizer.Encoding;

/**
 * A valid review, tokenised once (by {@link TokenBudgetBatcher}) and waiting for the model.
 *
 * @param enqueuedAtMillis when the batcher received it, for the queue-wait metric
 */
public record PendingReview(ValidReview review, Encoding encoding, long enqueuedAtMillis) {

  public int tokens() {
    return encoding.tokenCount();
  }
}
