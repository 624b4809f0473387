package dev.narrowbert.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * The order in which {@link FineTuningLoop} draws one task's training examples: each pass shuffled
 * with a seed of the run's seed, the pass and the task's index, cut into pools of 50 batches, each
 * pool sorted by length (which saves most padding on CPU) and cut into batches, and the batches
 * shuffled. A function of the examples, their lengths and the run's settings only, not of the
 * model: so it also answers, after the fact, which examples a run's first steps trained on.
 */
public final class TrainingOrder {
  private static final int POOL_BATCHES = 50;

  private TrainingOrder() {}

  /**
   * Pass {@code pass} over {@code train}: its batches in the order the loop draws them.
   *
   * @param tokens an example's length, as the task counts it
   * @param taskIndex the task's place among the run's objectives (0 for the first)
   */
  public static <E> List<List<E>> pass(
      List<E> train, ToIntFunction<E> tokens, int taskIndex, long seed, int batchSize, int pass) {
    // Task 0's seeds are those of single-task fine-tuning, so its runs are unchanged.
    Random random = new Random(seed * 7919L + pass + 1_000_003L * taskIndex);
    List<E> shuffled = new ArrayList<>(train);
    Collections.shuffle(shuffled, random);
    int pool = batchSize * POOL_BATCHES;
    List<List<E>> batches = new ArrayList<>();
    for (int from = 0; from < shuffled.size(); from += pool) {
      List<E> slice =
          new ArrayList<>(shuffled.subList(from, Math.min(from + pool, shuffled.size())));
      slice.sort(Comparator.comparingInt(tokens));
      for (int b = 0; b < slice.size(); b += batchSize) {
        batches.add(slice.subList(b, Math.min(b + batchSize, slice.size())));
      }
    }
    Collections.shuffle(batches, random);
    return batches;
  }

  /**
   * The examples that the first {@code steps} steps of a run train this task on, in the order drawn
   * (an example drawn again in a later pass appears again). Every step of a run, joint or not,
   * draws one batch of every task.
   */
  public static <E> List<E> drawn(
      List<E> train, ToIntFunction<E> tokens, int taskIndex, long seed, int batchSize, long steps) {
    List<E> drawn = new ArrayList<>();
    long left = steps;
    for (int pass = 0; left > 0; pass++) {
      for (List<E> batch : pass(train, tokens, taskIndex, seed, batchSize, pass)) {
        if (left-- == 0) {
          break;
        }
        drawn.addAll(batch);
      }
    }
    return drawn;
  }
}
