package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The positions a narrow encoder computes outputs for, packed per example and padded to the batch's
 * largest count. Padding slots point at position 0 and are flagged 0 in {@link #mask}; their
 * outputs are meaningless and must be ignored (losses multiply by the mask).
 *
 * @param positions token positions (B, M), int64
 * @param mask 1 for a real query, 0 for a padding slot (B, M), float32
 */
public record QueryPositions(NDArray positions, NDArray mask) {

  /**
   * Packs per-example position lists, e.g. the masked positions of an MLM batch, [0] for [CLS]
   * classification, or the first sub-token of every word for NER.
   */
  public static QueryPositions of(NDManager manager, List<int[]> perExample) {
    int batch = perExample.size();
    int width = Math.max(1, perExample.stream().mapToInt(p -> p.length).max().orElse(1));
    long[] positions = new long[batch * width];
    float[] mask = new float[batch * width];
    for (int b = 0; b < batch; b++) {
      int[] p = perExample.get(b);
      for (int m = 0; m < p.length; m++) {
        positions[b * width + m] = p[m];
        mask[b * width + m] = 1f;
      }
    }
    Shape shape = new Shape(batch, width);
    return new QueryPositions(manager.create(positions, shape), manager.create(mask, shape));
  }

  /** Every position 0..L-1 of every example: a narrow encoder then computes all outputs. */
  public static QueryPositions all(NDManager manager, int batch, int length) {
    NDArray row = manager.arange(0, length, 1, DataType.INT64).expandDims(0); // (1, L)
    NDArray positions = row.repeat(0, batch); // (B, L)
    return new QueryPositions(positions, manager.ones(new Shape(batch, length)));
  }

  /** Only [CLS] (position 0) of each example: sequence classification. */
  public static QueryPositions cls(NDManager manager, int batch) {
    Shape shape = new Shape(batch, 1);
    return new QueryPositions(manager.zeros(shape, DataType.INT64), manager.ones(shape));
  }

  /** B. */
  public long batchSize() {
    return positions.getShape().get(0);
  }

  /** M. */
  public long count() {
    return positions.getShape().get(1);
  }

  /**
   * Gathers the query positions from full-length states.
   *
   * @param states (B, L, d)
   * @return (B, M, d)
   */
  public NDArray gather(NDArray states) {
    long d = states.getShape().get(2);
    NDArray index = positions.expandDims(2).broadcast(batchSize(), count(), d); // (B, M, d)
    return states.gather(index, 1);
  }
}
