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

  public FineTuningState {
    trainingExamples = List.copyOf(trainingExamples);
    positions = List.copyOf(positions);
    bestValidation = Map.copyOf(bestValidation);
  }
}
