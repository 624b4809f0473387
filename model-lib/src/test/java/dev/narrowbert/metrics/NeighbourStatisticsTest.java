package dev.narrowbert.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Six points on a line, similarity = −distance, k = 2: the model's points at x = 0, 2, 3, 4, 6, 10,
 * the reference's at y = 0, 1, 5, 6, 2, 9, labels 0, 0, 1, 1, 0, 1. Neighbour sets are worked out
 * in the comments.
 */
class NeighbourStatisticsTest {

  private static final int[] LABELS = {0, 0, 1, 1, 0, 1};
  private static final double[] X = {0, 2, 3, 4, 6, 10};
  private static final double[] Y = {0, 1, 5, 6, 2, 9};

  @Test
  void agreementOfTheTwoNearestWithTiesToTheLowerIndex() {
    NeighbourStatistics statistics = new NeighbourStatistics(LABELS, 2, false);
    addAll(statistics, X, null);

    // 0:{1,2} 1/2; 1:{2, 0 (tied with 3 at distance 2)} 1/2; 2:{1,3} 1/2;
    // 3:{2, 1 (tied with 4)} 1/2; 4:{3,2} 0; 5:{4,3} 1/2 -> 2.5 / 6
    // (breaking the ties to the higher index would give 1:{2,3} 0 and 3:{2,4} 1/2: 2 / 6)
    assertThat(statistics.labelAgreement()).isCloseTo(2.5 / 6, within(1e-12));
    assertThat(statistics.rows()).isEqualTo(6);
  }

  @Test
  void comparesWithAReference() {
    NeighbourStatistics statistics = new NeighbourStatistics(LABELS, 2, true);
    addAll(statistics, X, Y);

    assertThat(statistics.labelAgreement()).isCloseTo(2.5 / 6, within(1e-12));
    // reference: 0:{1,4} 1; 1:{0,4} 1; 2:{3,4} 1/2; 3:{2,5} 1; 4:{1,0} 1; 5:{3,2} 1 -> 5.5 / 6
    assertThat(statistics.referenceLabelAgreement()).isCloseTo(5.5 / 6, within(1e-12));
    // shared neighbours: 0:{1} 1:{0} 2:{3} 3:{2} 4:{} 5:{3} -> (5 x 1/2) / 6
    assertThat(statistics.neighbourOverlap()).isCloseTo(2.5 / 6, within(1e-12));
    // the 15 pairs i < j: -distances a (model) and b (reference):
    // a = -2 -3 -4 -6 -10 -1 -2 -4 -8 -1 -3 -7 -2 -6 -4, b = -1 -5 -6 -2 -9 -4 -5 -1 -8 -1 -3 -4 -4
    // -3 -7; both means -4.2; Σ(a-ā)(b-b̄) = 52.4, Σ(a-ā)² = 100.4, Σ(b-b̄)² = 88.4
    assertThat(statistics.similarityCorrelation())
        .isCloseTo(52.4 / Math.sqrt(100.4 * 88.4), within(1e-9));
  }

  @Test
  void identicalEmbeddingsOverlapFullyAndCorrelatePerfectly() {
    NeighbourStatistics statistics = new NeighbourStatistics(LABELS, 2, true);
    addAll(statistics, X, X);

    assertThat(statistics.neighbourOverlap()).isEqualTo(1.0);
    assertThat(statistics.similarityCorrelation()).isCloseTo(1.0, within(1e-12));
    assertThat(statistics.referenceLabelAgreement()).isEqualTo(statistics.labelAgreement());
  }

  @Test
  void correlationIsOneForAnAffineChangeInANarrowBandFarFromZero() {
    NeighbourStatistics statistics = new NeighbourStatistics(LABELS, 2, true);
    for (int i = 0; i < X.length; i++) {
      float[] model = row(X, i);
      float[] reference = new float[model.length];
      for (int j = 0; j < model.length; j++) {
        reference[j] = 0.9f + 0.001f * model[j]; // cosines of anisotropic embeddings look like this
      }
      statistics.add(i, model, reference);
    }

    assertThat(statistics.similarityCorrelation()).isCloseTo(1.0, within(1e-6));
    assertThat(statistics.neighbourOverlap()).isEqualTo(1.0);
  }

  @Test
  void chanceAgreementCountsSameLabelPairs() {
    // three of each label: (3 x 2 + 3 x 2) / (6 x 5)
    assertThat(new NeighbourStatistics(LABELS, 1, false).chanceAgreement())
        .isCloseTo(0.4, within(1e-12));
    // labels 0, 0, 0, 1: (3 x 2 + 0) / (4 x 3)
    assertThat(new NeighbourStatistics(new int[] {0, 0, 0, 1}, 1, false).chanceAgreement())
        .isCloseTo(0.5, within(1e-12));
  }

  @Test
  void everyOtherExampleIsANeighbourWhenKIsNMinusOne() {
    NeighbourStatistics statistics = new NeighbourStatistics(LABELS, 5, false);
    addAll(statistics, X, null);

    // each example shares its label with 2 of the 5 others
    assertThat(statistics.labelAgreement()).isCloseTo(0.4, within(1e-12));
  }

  @Test
  void rejectsKOutsideOneToNMinusOne() {
    assertThatThrownBy(() -> new NeighbourStatistics(LABELS, 6, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("N - 1 = 5");
    assertThatThrownBy(() -> new NeighbourStatistics(LABELS, 0, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsRowsOfTheWrongShapeOrTwice() {
    NeighbourStatistics statistics = new NeighbourStatistics(LABELS, 2, false);
    assertThatThrownBy(() -> statistics.add(0, new float[5]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> statistics.add(0, new float[6], new float[6]))
        .isInstanceOf(IllegalArgumentException.class);
    statistics.add(0, new float[6]);
    assertThatThrownBy(() -> statistics.add(0, new float[6]))
        .isInstanceOf(IllegalStateException.class);
  }

  /** Adds every row of −|p_i − p_j| for the model's points and, if given, the reference's. */
  private static void addAll(NeighbourStatistics statistics, double[] model, double[] reference) {
    for (int i = 0; i < model.length; i++) {
      statistics.add(i, row(model, i), reference == null ? null : row(reference, i));
    }
  }

  private static float[] row(double[] points, int i) {
    float[] row = new float[points.length];
    for (int j = 0; j < points.length; j++) {
      row[j] = (float) -Math.abs(points[i] - points[j]);
    }
    return row;
  }
}
