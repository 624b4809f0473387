package dev.narrowbert.training;

import java.util.List;
import java.util.Map;

/**
 * Everything a {@link FineTuningLoop} needs besides the weights and the optimizer to continue a run
 * exactly where it stopped, saved as {@code training-state.json} in the run's {@code resume/}
 * directory ({@link TrainingCheckpoint}). Dropout is seeded by (seed, step) and each task's batch
 * order by (seed, pass, task), so a task's position is its pass and the batches it has drawn.
 *
 * @param step completed steps
 * @param settings the run's settings; a resumed run must give the same ones
 * @param trainingExamples each task's training-set size, a check that the data are the same
 * @param exampleSettings each task's {@link FineTuningTask#exampleSettings()}, a check that the
 *     examples were made the same way; empty in checkpoints saved before it existed
 * @param positions each task's place in its batch stream, in task order
 * @param bestScore the best validation score so far, null before the first validation
 * @param bestStep the step of the best score (the model kept in the output directory)
 * @param bestValidation every validation figure of that step
 * @param withoutImprovement validations since the best one
 */
public record FineTuningState(
    long step,
    FineTuningSettings settings,
    List<Integer> trainingExamples,
    List<Map<String, String>> exampleSettings,
    List<Position> positions,
    Double bestScore,
    long bestStep,
    Map<String, Double> bestValidation,
    int withoutImprovement) {

  /**
   * Where a task's batch stream stands: the pass it is in (-1 before the first batch) and the
   * batches drawn from that pass.
   */
  public record Position(int pass, int drawn) {}

  /**
   * Whether {@code settings} (one map per task) are those of this state; a checkpoint without any
   * recorded matches tasks whose settings are all defaults.
   */
  public boolean sameExampleSettings(List<Map<String, String>> settings) {
    return exampleSettings.isEmpty()
        ? settings.stream().allMatch(Map::isEmpty)
        : exampleSettings.equals(settings);
  }

  public FineTuningState {
    trainingExamples = List.copyOf(trainingExamples);
    exampleSettings =
        exampleSettings == null
            ? List.of()
            : exampleSettings.stream().map(m -> Map.copyOf(m)).toList();
    positions = List.copyOf(positions);
    bestValidation = Map.copyOf(bestValidation);
  }
}
