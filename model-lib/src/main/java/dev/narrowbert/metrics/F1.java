package dev.narrowbert.metrics;

/** Precision, recall and their harmonic mean from counts; 0 where a denominator is 0. */
public record F1(double precision, double recall, double f1) {

  public static F1 from(long correct, long predicted, long gold) {
    double precision = predicted == 0 ? 0 : (double) correct / predicted;
    double recall = gold == 0 ? 0 : (double) correct / gold;
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    return new F1(precision, recall, f1);
  }

  public static double of(long correct, long predicted, long gold) {
    return from(correct, predicted, gold).f1();
  }
}
