package dev.narrowbert.tasks;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * How {@link EntityGateTraining} chooses the entity gate's threshold from the gate's probabilities
 * on validation words, and what a threshold lets through.
 */
final class GateThreshold {
  private GateThreshold() {}

  /**
   * The largest threshold at which at least {@code recall} of the entity words pass: the entity
   * words' probabilities sorted, the one below which {@code 1 - recall} of them lie.
   */
  static float forRecall(float[] probabilities, boolean[] entity, double recall) {
    double[] positives =
        IntStream.range(0, entity.length)
            .filter(i -> entity[i])
            .mapToDouble(i -> probabilities[i])
            .toArray();
    Arrays.sort(positives);
    int missed = (int) Math.floor((1 - recall) * positives.length + 1e-9);
    return (float) positives[Math.min(missed, positives.length - 1)];
  }

  /** {recall of entity words, share of all words} at {@code threshold}. */
  static double[] recallAndShare(float[] probabilities, boolean[] entity, float threshold) {
    long passed = 0;
    long entities = 0;
    long entitiesPassed = 0;
    for (int i = 0; i < entity.length; i++) {
      boolean passes = probabilities[i] >= threshold;
      passed += passes ? 1 : 0;
      entities += entity[i] ? 1 : 0;
      entitiesPassed += passes && entity[i] ? 1 : 0;
    }
    return new double[] {(double) entitiesPassed / entities, (double) passed / entity.length};
  }
}
