package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * What {@link FineTuningLoop} needs from a task: a training loss for a batch and a validation score
 * to early-stop on. The loop itself knows nothing about heads or labels, and can train several
 * tasks at once on a shared encoder.
 *
 * @param <E> one training example
 */
public interface FineTuningTask<E> {

  /** Short name, e.g. {@code sentiment} or {@code ner}; names a task's figures in a joint run. */
  String name();

  /** Name of the validation metric, e.g. {@code accuracy} or {@code f1}. */
  String metricName();

  /** Tokens of an example, for batching by length and throughput. */
  int tokens(E example);

  /** Scalar training loss of {@code batch}; arrays belong to {@code scope}. */
  NDArray loss(NDManager scope, List<E> batch);

  /** Validation score, higher is better. */
  double validate(NDManager manager, List<E> examples);

  /**
   * How this task's examples were made beyond the data files (e.g. NER's document context), which a
   * resumed run must repeat; empty, the default, where every such setting has its default, so that
   * checkpoints saved before a setting existed still resume.
   */
  default Map<String, String> exampleSettings() {
    return Map.of();
  }

  /** Whether this task trains {@code parameter} of the model (its own head and the encoder). */
  boolean trains(Parameter parameter);
}
