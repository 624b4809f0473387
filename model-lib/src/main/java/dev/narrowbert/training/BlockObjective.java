package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.narrowbert.model.NarrowBertModel;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a {@link BlockTraining} run optimises and how it scores the held-out blocks: everything the
 * shared loop must not know (masked-LM pretraining, {@link MaskedLmPretraining}; distillation,
 * {@link Distillation}).
 *
 * @param <E> the held-out figures
 */
public interface BlockObjective<E> {

  /** A short name for the progress bar, e.g. "pretrain". */
  String name();

  /** The model the run trains and checkpoints. */
  NarrowBertModel model();

  /** The parameters that train; the loop turns on their gradients. */
  List<Pair<String, Parameter>> trainableParameters();

  /**
   * The training batch of one step, its arrays in {@code scope}.
   *
   * @param random seeded by (seed, step): every random draw of the batch comes from it
   */
  Step batch(NDManager scope, List<int[]> blocks, Random random);

  /** A fresh sum over held-out batches. */
  HeldOut<E> heldOut();

  /** The figures of {@code evaluation} as {@code metrics.jsonl} keys (e.g. {@code eval_loss}). */
  Map<String, Double> metrics(E evaluation);

  /** One line for the log, e.g. "held-out MLM loss 2.1, accuracy 0.6". */
  String describe(E evaluation);

  /** Whether a run that starts at step 0 is evaluated first, as the baseline of its curve. */
  boolean evaluatesBeforeTraining();

  /** The title of {@code loss.png}. */
  String chartTitle();

  /** The curves of {@code loss.png}: legend label -> metrics key. */
  Map<String, String> chartSeries();

  /** One step's batch. */
  interface Step {
    /** Tokens in the batch, for throughput. */
    int tokens();

    /** The scalar loss in training mode; called inside the trainer's gradient collector. */
    NDArray loss();

    /** Parts of the last {@link #loss()} worth logging beside it (none by default). */
    default Map<String, Double> lossParts() {
      return Map.of();
    }
  }

  /** Sums over held-out batches; one instance per evaluation. */
  interface HeldOut<E> {
    /**
     * Adds one batch, the models in inference mode.
     *
     * @param random one RNG for the whole evaluation, seeded the same every time
     */
    void add(NDManager scope, List<int[]> blocks, Random random);

    E result();
  }
}
