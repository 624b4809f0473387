package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * One task's endless stream of training batches in {@link FineTuningLoop}: a pass over its data,
 * reshuffled, repeated. Batches group examples of similar length (sorted within shuffled pools of
 * 50 batches), which saves most padding on CPU.
 */
final class TaskBatches<E> {
  private static final int POOL_BATCHES = 50;

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

  /** This pass's batches: shuffled, then length-sorted within pools, then the batches shuffled. */
  private List<List<E>> batches() {
    // Task 0's seeds are those of single-task fine-tuning, so its runs are unchanged.
    Random random = new Random(settings.seed() * 7919L + pass + 1_000_003L * index);
    List<E> shuffled = new ArrayList<>(objective.train());
    Collections.shuffle(shuffled, random);
    int pool = settings.batchSize() * POOL_BATCHES;
    List<List<E>> batches = new ArrayList<>();
    for (int from = 0; from < shuffled.size(); from += pool) {
      List<E> slice =
          new ArrayList<>(shuffled.subList(from, Math.min(from + pool, shuffled.size())));
      slice.sort(Comparator.comparingInt(objective.task()::tokens));
      for (int b = 0; b < slice.size(); b += settings.batchSize()) {
        batches.add(slice.subList(b, Math.min(b + settings.batchSize(), slice.size())));
      }
    }
    Collections.shuffle(batches, random);
    return batches;
  }
}
