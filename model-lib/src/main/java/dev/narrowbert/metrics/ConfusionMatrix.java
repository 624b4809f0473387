package dev.narrowbert.metrics;

/**
 * Counts of (gold, predicted) class pairs, for accuracy and macro-averaged F1 (the unweighted mean
 * of per-class F1, as {@code sklearn.metrics.f1_score(average="macro")}).
 */
public final class ConfusionMatrix {

  private final long[][] counts;
  private long total;

  public ConfusionMatrix(int classes) {
    counts = new long[classes][classes];
  }

  public void add(int gold, int predicted) {
    counts[gold][predicted]++;
    total++;
  }

  public long total() {
    return total;
  }

  public double accuracy() {
    long correct = 0;
    for (int c = 0; c < counts.length; c++) {
      correct += counts[c][c];
    }
    return total == 0 ? 0 : (double) correct / total;
  }

  public double macroF1() {
    double sum = 0;
    for (int c = 0; c < counts.length; c++) {
      long truePositives = counts[c][c];
      long predicted = 0;
      long gold = 0;
      for (int o = 0; o < counts.length; o++) {
        predicted += counts[o][c];
        gold += counts[c][o];
      }
      sum += F1.of(truePositives, predicted, gold);
    }
    return sum / counts.length;
  }
}
