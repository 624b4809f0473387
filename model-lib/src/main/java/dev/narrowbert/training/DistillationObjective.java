package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;

/**
 * Hidden-state distillation from a frozen teacher into a student over the same inputs: the loss is
 * the mean squared error between the two models' final states at the query positions (mean over the
 * d hidden units, then over the real query slots): the hidden-state loss of TinyBERT (Jiao et al.,
 * 2020) at the last layer, without its projection since both models share one width. Here the
 * teacher is normally the same weights run as full BERT and the student runs them as NarrowBERT (Li
 * et al., ACL 2023), so the loss teaches the narrow layers to read keys and values from the earlier
 * states H.
 *
 * <p>The teacher always runs in inference mode (no dropout) with autograd off; its states are
 * targets, never a path for gradients.
 */
public final class DistillationObjective {

  /**
   * Held-out figures.
   *
   * @param mse mean squared error per query (mean over hidden units)
   * @param cosine mean cosine similarity of student and teacher states per query
   * @param clsCosine the same at [CLS] (position 0) only, which sentiment classification reads
   * @param queries real query slots evaluated
   */
  public record Evaluation(double mse, double cosine, double clsCosine, long queries) {}

  /** Running sums over evaluation batches. */
  static final class Sums {
    private double squaredError;
    private double cosine;
    private double queries;
    private double clsCosine;
    private double clsQueries;

    Evaluation evaluation() {
      return new Evaluation(
          squaredError / queries, cosine / queries, clsCosine / clsQueries, (long) queries);
    }
  }

  private final NarrowBertModel student;
  private final NarrowBertModel teacher;
  private final ParameterStore parameterStore;

  public DistillationObjective(
      NarrowBertModel student, NarrowBertModel teacher, ParameterStore parameterStore) {
    if (student.config().hiddenSize() != teacher.config().hiddenSize()) {
      throw new IllegalArgumentException(
          "student hidden size "
              + student.config().hiddenSize()
              + " differs from teacher hidden size "
              + teacher.config().hiddenSize());
    }
    this.student = student;
    this.teacher = teacher;
    this.parameterStore = parameterStore;
  }

  /** The scalar training loss: the student in training mode (dropout on). */
  public NDArray loss(DistillationBatch batch) {
    return loss(batch, true);
  }

  /** The scalar loss with the student in training or inference mode. */
  public NDArray loss(DistillationBatch batch, boolean training) {
    NDArray target = teacherStates(batch); // (B, M, d)
    NDArray states = studentStates(batch, training); // (B, M, d)
    return maskedMean(squaredError(states, target), batch.queries().mask()); // scalar
  }

  /** Adds one held-out batch to {@code sums}, both models in inference mode. */
  void evaluate(DistillationBatch batch, Sums sums) {
    JniUtils.setGradMode(false);
    NDArray target = teacherStates(batch);
    NDArray states = studentStates(batch, false);
    QueryPositions queries = batch.queries();
    NDArray mask = queries.mask(); // (B, M)
    // Padding slots also point at position 0, so [CLS] slots are position 0 *and* mask 1.
    NDArray clsMask = queries.positions().eq(0).toType(DataType.FLOAT32, false).mul(mask);
    NDArray cosine = cosine(states, target); // (B, M)
    sums.squaredError += squaredError(states, target).mul(mask).sum().getFloat();
    sums.cosine += cosine.mul(mask).sum().getFloat();
    sums.queries += mask.sum().getFloat();
    sums.clsCosine += cosine.mul(clsMask).sum().getFloat();
    sums.clsQueries += clsMask.sum().getFloat();
  }

  private NDArray teacherStates(DistillationBatch batch) {
    boolean recording = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      return teacher.encode(parameterStore, batch.inputs(), batch.queries(), false).queryStates();
    } finally {
      JniUtils.setGradMode(recording);
    }
  }

  private NDArray studentStates(DistillationBatch batch, boolean training) {
    return student.encode(parameterStore, batch.inputs(), batch.queries(), training).queryStates();
  }

  /** (B, M, d) x2 -> (B, M): mean over hidden units of the squared difference. */
  private static NDArray squaredError(NDArray states, NDArray target) {
    return states.sub(target).square().mean(new int[] {-1});
  }

  /** (B, M, d) x2 -> (B, M). */
  private static NDArray cosine(NDArray a, NDArray b) {
    NDArray dot = a.mul(b).sum(new int[] {-1});
    NDArray norms = a.norm(new int[] {-1}).mul(b.norm(new int[] {-1}));
    return dot.div(norms.maximum(1e-12f));
  }

  private static NDArray maskedMean(NDArray values, NDArray mask) {
    return values.mul(mask).sum().div(mask.sum().maximum(1f));
  }
}
