package dev.narrowbert.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

  @Test
  void computesAccuracyAndMacroF1ByHand() {
    ConfusionMatrix matrix = new ConfusionMatrix(2);
    // gold 0: predicted 0,0,0,1 ; gold 1: predicted 1,0
    int[][] pairs = {{0, 0}, {0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 0}};
    for (int[] p : pairs) {
      matrix.add(p[0], p[1]);
    }

    assertThat(matrix.accuracy()).isCloseTo(4 / 6.0, within(1e-12));
    // class 0: P 3/4, R 3/4, F1 0.75; class 1: P 1/2, R 1/2, F1 0.5
    assertThat(matrix.macroF1()).isCloseTo(0.625, within(1e-12));
  }
}
