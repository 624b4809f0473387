package dev.narrowbert.training;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One task of a fine-tuning run as {@link FineTuningLoop} trains it: the task, its training and
 * validation examples, and the weight of its loss in the summed loss of a multi-task step.
 *
 * @param task the head, loss and validation metric
 * @param train training examples; a task with fewer than the largest is cycled
 * @param valid validation examples
 * @param lossWeight factor of this task's loss in the loss of a step; 1 for a single task
 * @param splitSettings how {@code valid} was split off the training file where that is not the
 *     default (e.g. {@code valid_seed} when the split's seed is not the run's); empty otherwise
 * @param <E> one example
 */
public record FineTuningObjective<E>(
    FineTuningTask<E> task,
    List<E> train,
    List<E> valid,
    float lossWeight,
    Map<String, String> splitSettings) {

  public FineTuningObjective {
    if (train.isEmpty()) {
      throw new IllegalArgumentException(task.name() + ": no training examples");
    }
    if (!(lossWeight > 0) || Float.isInfinite(lossWeight)) {
      throw new IllegalArgumentException(task.name() + ": loss weight must be > 0");
    }
    train = List.copyOf(train);
    valid = List.copyOf(valid);
    splitSettings = Map.copyOf(splitSettings);
  }

  /** A task whose validation examples were split off (or given) the default way. */
  public FineTuningObjective(
      FineTuningTask<E> task, List<E> train, List<E> valid, float lossWeight) {
    this(task, train, valid, lossWeight, Map.of());
  }

  /**
   * How this task's examples were made, which a resumed run must repeat: the task's own {@link
   * FineTuningTask#exampleSettings()} and the split's.
   */
  public Map<String, String> exampleSettings() {
    Map<String, String> settings = new HashMap<>(task.exampleSettings());
    settings.putAll(splitSettings);
    return Map.copyOf(settings);
  }

  /** A task on its own: loss weight 1. */
  public static <E> FineTuningObjective<E> of(
      FineTuningTask<E> task, List<E> train, List<E> valid) {
    return new FineTuningObjective<>(task, train, valid, 1);
  }
}
