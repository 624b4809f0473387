package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;

/**
 * A padded batch of token ids.
 *
 * @param tokenIds (B, L) int64, padded with the [PAD] id
 * @param tokenTypeIds (B, L) int64, all 0 for single-segment reviews
 * @param attentionMask (B, L) int64, 1 for tokens and 0 for padding
 */
public record ModelInputs(NDArray tokenIds, NDArray tokenTypeIds, NDArray attentionMask) {

  public long batchSize() {
    return tokenIds.getShape().get(0);
  }

  public long length() {
    return tokenIds.getShape().get(1);
  }
}
