package dev.narrowbert.training;

import java.util.List;

/**
 * One task of a fine-tuning run as {@link FineTuningLoop} trains it: the task, its training and
 * validation examples, and the weight of its loss in the summed loss of a multi-task step.
 *
 * @param task the head, loss and validation metric
 * @param train training examples; a task with fewer than the largest is cycled
 * @param valid validation examples
 * @param lossWeight factor of this task's loss in the loss of a step; 1 for a single task
 * @param <E> one example
 */
public record FineTuningObjective<E>(
    FineTuningTask<E> task, List<E> train, List<E> valid, float lossWeight) {

  public FineTuningObjective {
    if (train.isEmpty()) {
      throw new IllegalArgumentException(task.name() + ": no training examples");
    }
    if (!(lossWeight > 0) || Float.isInfinite(lossWeight)) {
      throw new IllegalArgumentException(task.name() + ": loss weight must be > 0");
    }
    train = List.copyOf(train);
    valid = List.copyOf(valid);
  }

  /** A task on its own: loss weight 1. */
  public static <E> FineTuningObjective<E> of(
      FineTuningTask<E> task, List<E> train, List<E> valid) {
    return new FineTuningObjective<>(task, train, valid, 1);
  }
}
