package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * One task's endless stream of training batches in {@link FineTuningLoop}: a pass over its data,
 * reshuffled, repeated, in {@link TrainingOrder}.
 */
final class TaskBatches<E> {
  private final FineTuningObjective<E> objective;
  private final int index;
  private final FineTuningSettings settings;
  private int pass = -1;
  private int drawn;
  private Iterator<List<E>> pending = Collections.emptyIterator();
  private List<E> current;

  TaskBatches(FineTuningObjective<E> objective, int index, FineTuningSettings settings) {
    this.objective = objective;
    this.index = index;
    this.settings = settings;
  }

  FineTuningObjective<E> objective() {
    return objective;
  }

  String name() {
    return objective.task().name();
  }

  long batchesPerPass() {
    return (objective.train().size() + settings.batchSize() - 1) / settings.batchSize();
  }

  /** Moves to the next batch; returns its tokens. */
  int drawBatch() {
    if (!pending.hasNext()) {
      pass++;
      drawn = 0;
      pending = batches().iterator();
    }
    current = pending.next();
    drawn++;
    return current.stream().mapToInt(objective.task()::tokens).sum();
  }

  FineTuningState.Position position() {
    return new FineTuningState.Position(pass, drawn);
  }

  /** Continues from {@code position}, as if the batches before it had been drawn. */
  void restore(FineTuningState.Position position) {
    pass = position.pass();
    drawn = 0;
    pending = pass < 0 ? Collections.emptyIterator() : batches().iterator();
    for (int i = 0; i < position.drawn(); i++) {
      current = pending.next();
      drawn++;
    }
  }

  NDArray loss(NDManager scope) {
    return objective.task().loss(scope, current);
  }

  double validate(NDManager manager) {
    return objective.task().validate(manager, objective.valid());
  }

  /** This pass's batches, in {@link TrainingOrder}. */
  private List<List<E>> batches() {
    return TrainingOrder.pass(
        objective.train(),
        objective.task()::tokens,
        index,
        settings.seed(),
        settings.batchSize(),
        pass);
  }
}
