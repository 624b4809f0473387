package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Softmax cross-entropy averaged over the positions a mask selects, kept apart from the heads so
 * the training loop can combine losses freely. For MLM the mask is the query mask (padding slots of
 * packed masked positions count 0); for NER it is the word mask; for sequence classification every
 * example counts.
 */
public final class MaskedCrossEntropy {

  private MaskedCrossEntropy() {}

  /**
   * @param logits (..., C)
   * @param labels class ids (...), int64
   * @param mask 1 where the position counts, 0 elsewhere (...), or {@code null} for all
   * @return scalar mean loss over counted positions
   */
  public static NDArray loss(NDArray logits, NDArray labels, NDArray mask) {
    NDArray logProbs = logits.logSoftmax(-1); // (..., C)
    NDArray picked =
        logProbs
            .gather(
                labels.toType(DataType.INT64, false).expandDims(-1),
                logits.getShape().dimension() - 1)
            .squeeze(-1); // (...)
    if (mask == null) {
      return picked.mean().neg();
    }
    NDArray weights = mask.toType(DataType.FLOAT32, false);
    return picked.mul(weights).sum().div(weights.sum().maximum(1f)).neg();
  }
}
