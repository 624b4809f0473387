package dev.narrowbert.metrics;

import java.util.Arrays;
import java.util.BitSet;

/**
 * How well an embedding groups labelled examples: the k-nearest-neighbour label agreement (for each
 * example, the share of its k most similar other examples that have its label, averaged over
 * examples), the agreement that chance gives, and, when a reference embedding of the same examples
 * is fed beside it, the reference's own agreement, the overlap of the two k-NN sets and the Pearson
 * correlation of the two similarities over all pairs. Fed one similarity row at a time, so the N x
 * N matrix never has to exist at once.
 *
 * <p>Neighbours exclude the example itself and are ranked by similarity, higher first; equal
 * similarities go to the lower index. k must be at most N - 1; k = N - 1 makes every other example
 * a neighbour. Every score averages over the rows added so far; the correlation covers the pairs
 * (i, j > i) of those rows, so it covers all pairs once every row is added.
 */
public final class NeighbourStatistics {

  private final int[] labels;
  private final int k;
  private final boolean withReference;
  private final BitSet added = new BitSet();
  private double agreementSum;
  private double referenceAgreementSum;
  private double overlapSum;
  private final PairMoments pairs = new PairMoments();

  /**
   * @param labels the label of every example; its length is N
   * @param k neighbours per example, 1 to N - 1
   * @param withReference whether every row comes with the reference's row
   * @throws IllegalArgumentException if k is out of range
   */
  public NeighbourStatistics(int[] labels, int k, boolean withReference) {
    if (k < 1 || k > labels.length - 1) {
      throw new IllegalArgumentException(
          "k must be between 1 and N - 1 = " + (labels.length - 1) + ", was " + k);
    }
    this.labels = labels.clone();
    this.k = k;
    this.withReference = withReference;
  }

  /** Adds row i of the model's similarities (without a reference). */
  public void add(int i, float[] similarities) {
    add(i, similarities, null);
  }

  /**
   * Adds row i: {@code similarities[j]} is the similarity of example i to example j (entry i is
   * ignored), {@code reference} the same row under the reference embedding.
   *
   * @throws IllegalArgumentException if a row's length is not N or the reference is missing or
   *     unexpected
   * @throws IllegalStateException if row i was added before
   */
  public void add(int i, float[] similarities, float[] reference) {
    if (similarities.length != labels.length
        || (reference != null && reference.length != labels.length)) {
      throw new IllegalArgumentException("a similarity row must have N = " + labels.length);
    }
    if ((reference != null) != withReference) {
      throw new IllegalArgumentException(
          withReference ? "a reference row is required" : "no reference row was expected");
    }
    if (added.get(i)) {
      throw new IllegalStateException("row " + i + " was added twice");
    }
    added.set(i);
    int[] nearest = nearest(similarities, i);
    agreementSum += agreement(nearest, labels[i]);
    if (reference != null) {
      int[] referenceNearest = nearest(reference, i);
      referenceAgreementSum += agreement(referenceNearest, labels[i]);
      overlapSum += overlap(nearest, referenceNearest);
      pairs.addRow(similarities, reference, i + 1);
    }
  }

  /** Rows added so far. */
  public int rows() {
    return added.cardinality();
  }

  /** Mean share of the k nearest neighbours with the example's label under the model. */
  public double labelAgreement() {
    return mean(agreementSum);
  }

  /** The same under the reference embedding. */
  public double referenceLabelAgreement() {
    return mean(referenceAgreementSum);
  }

  /** Mean |A ∩ B| / k of the model's and the reference's k-NN sets. */
  public double neighbourOverlap() {
    return mean(overlapSum);
  }

  /** Pearson correlation of the two similarities over pairs i &lt; j; NaN if either is constant. */
  public double similarityCorrelation() {
    return pairs.correlation();
  }

  /**
   * The agreement of a random neighbour: the probability that another example drawn at random has
   * the example's label, Σ_c n_c (n_c − 1) / (N (N − 1)).
   */
  public double chanceAgreement() {
    int[] sorted = labels.clone();
    Arrays.sort(sorted);
    double sameLabelPairs = 0;
    for (int from = 0, to; from < sorted.length; from = to) {
      to = from;
      while (to < sorted.length && sorted[to] == sorted[from]) {
        to++;
      }
      sameLabelPairs += (double) (to - from) * (to - from - 1);
    }
    return sameLabelPairs / ((double) labels.length * (labels.length - 1));
  }

  private double mean(double sum) {
    return rows() == 0 ? 0 : sum / rows();
  }

  /** The k most similar j != self, most similar first, ties to the lower index. */
  private int[] nearest(float[] row, int self) {
    int[] best = new int[k];
    float[] bestSimilarity = new float[k];
    int filled = 0;
    for (int j = 0; j < row.length; j++) {
      if (j == self || (filled == k && !(row[j] > bestSimilarity[k - 1]))) {
        continue; // a later j never displaces an equal one: ties go to the lower index
      }
      int at = Math.min(filled, k - 1);
      while (at > 0 && row[j] > bestSimilarity[at - 1]) {
        best[at] = best[at - 1];
        bestSimilarity[at] = bestSimilarity[at - 1];
        at--;
      }
      best[at] = j;
      bestSimilarity[at] = row[j];
      filled = Math.min(filled + 1, k);
    }
    return best;
  }

  private double agreement(int[] nearest, int label) {
    int same = 0;
    for (int j : nearest) {
      same += labels[j] == label ? 1 : 0;
    }
    return (double) same / k;
  }

  private double overlap(int[] a, int[] b) {
    int shared = 0;
    for (int x : a) {
      for (int y : b) {
        shared += x == y ? 1 : 0;
      }
    }
    return (double) shared / k;
  }
}
