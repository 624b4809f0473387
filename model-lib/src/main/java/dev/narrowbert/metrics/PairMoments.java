package dev.narrowbert.metrics;

/**
 * Count, means, sums of squared deviations and co-deviation of paired values, for their Pearson
 * correlation. Each row is summed about its own means and merged with Chan et al.'s pairwise update
 * ("Updating formulae and a pairwise algorithm for computing sample variances", 1979): similarities
 * of sentence embeddings often sit in a narrow band far from 0, where the one-pass Σx² − (Σx)²/n
 * loses most of its digits over 10⁸ pairs.
 */
final class PairMoments {

  private long count;
  private double meanX;
  private double meanY;
  private double squaresX;
  private double squaresY;
  private double products;

  /** Adds the pairs (x[j], y[j]) for j from {@code from} to the end. */
  void addRow(float[] x, float[] y, int from) {
    int n = x.length - from;
    if (n <= 0) {
      return;
    }
    double rowMeanX = 0;
    double rowMeanY = 0;
    for (int j = from; j < x.length; j++) {
      rowMeanX += x[j];
      rowMeanY += y[j];
    }
    rowMeanX /= n;
    rowMeanY /= n;
    double rowSquaresX = 0;
    double rowSquaresY = 0;
    double rowProducts = 0;
    for (int j = from; j < x.length; j++) {
      double dx = x[j] - rowMeanX;
      double dy = y[j] - rowMeanY;
      rowSquaresX += dx * dx;
      rowSquaresY += dy * dy;
      rowProducts += dx * dy;
    }
    long total = count + n;
    double dx = rowMeanX - meanX;
    double dy = rowMeanY - meanY;
    double weight = (double) count * n / total;
    squaresX += rowSquaresX + dx * dx * weight;
    squaresY += rowSquaresY + dy * dy * weight;
    products += rowProducts + dx * dy * weight;
    meanX += dx * n / total;
    meanY += dy * n / total;
    count = total;
  }

  /** Pearson's r; NaN without pairs or when either side is constant. */
  double correlation() {
    return products / Math.sqrt(squaresX * squaresY);
  }
}
