package dev.narrowbert.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.narrowbert.metrics.NeighbourStatistics;
import java.util.Arrays;
import java.util.OptionalDouble;
import me.tongfei.progressbar.ProgressBar;

/**
 * Cosine similarities of every review's embedding to every review's, computed on the device a block
 * of rows at a time (L2-normalised embeddings, one matmul per block) and handed to {@link
 * NeighbourStatistics} row by row, so that N = 25,000 reviews need 256 x N floats at a time instead
 * of N x N.
 */
final class CosineSimilarities implements AutoCloseable {

  /** Rows per matmul. */
  static final int BLOCK = 256;

  private final NDManager manager;
  private final NDArray model; // (N, d), unit rows
  private final NDArray reference; // (N, d'), unit rows, or null

  /**
   * @param model one embedding per review
   * @param reference the reference model's embeddings of the same reviews, or {@code null}
   */
  CosineSimilarities(Device device, float[][] model, float[][] reference) {
    manager = NDManager.newBaseManager(device);
    this.model = unitRows(manager.create(model));
    this.reference = reference == null ? null : unitRows(manager.create(reference));
  }

  /** Adds every row of similarities (and the reference's) to {@code statistics}. */
  void feed(NeighbourStatistics statistics) {
    int n = (int) model.getShape().get(0);
    NDArray modelColumns = model.transpose(); // (d, N)
    NDArray referenceColumns = reference == null ? null : reference.transpose(); // (d', N)
    try (ProgressBar progress = EvalFile.progress("neighbours", n, "reviews")) {
      for (int from = 0; from < n; from += BLOCK) {
        int to = Math.min(n, from + BLOCK);
        float[] rows = similarities(model, modelColumns, from, to);
        float[] referenceRows =
            reference == null ? null : similarities(reference, referenceColumns, from, to);
        for (int i = from; i < to; i++) {
          int at = (i - from) * n;
          statistics.add(
              i,
              Arrays.copyOfRange(rows, at, at + n),
              referenceRows == null ? null : Arrays.copyOfRange(referenceRows, at, at + n));
        }
        progress.stepBy(to - from);
      }
    }
  }

  /**
   * The mean over reviews of the cosine between the model's and the reference's embedding of the
   * same review; empty without a reference or when the two differ in dimension.
   */
  OptionalDouble meanCosine() {
    if (reference == null || !reference.getShape().equals(model.getShape())) {
      return OptionalDouble.empty();
    }
    try (NDArray cosines = model.mul(reference).sum(new int[] {1}); // (N)
        NDArray mean = cosines.mean()) {
      return OptionalDouble.of(mean.getFloat());
    }
  }

  /** Rows from..to of E Eᵀ as one row-major array: (to - from, N). */
  private static float[] similarities(NDArray rows, NDArray columns, int from, int to) {
    try (NDArray block = rows.get(from + ":" + to); // (b, d)
        NDArray products = block.matMul(columns)) { // (b, N)
      return products.toFloatArray();
    }
  }

  /** Each row divided by its L2 norm (an all-zero row stays zero). */
  private static NDArray unitRows(NDArray embeddings) {
    NDArray norms = embeddings.square().sum(new int[] {1}, true).sqrt().maximum(1e-12f); // (N, 1)
    return embeddings.div(norms);
  }

  @Override
  public void close() {
    manager.close();
  }
}
