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
 * states H. With a head weight W > 0 ({@link DistillationTargets}) the loss adds W times the heads'
 * {@link SoftTargets}, so the student also learns what the heads read from the states.
 *
 * <p>The teacher always runs in inference mode (no dropout) with autograd off; its states and
 * logits are targets, never a path for gradients.
 */
public final class DistillationObjective {

  /**
   * Held-out figures.
   *
   * @param mse mean squared error per query (mean over hidden units)
   * @param cosine mean cosine similarity of student and teacher states per query
   * @param clsCosine the same at [CLS] (position 0) only, which sentiment classification reads
   * @param queries real query slots evaluated
   * @param sentimentAgreement share of blocks whose argmax sentiment is the teacher's
   * @param sentimentKl mean KL(teacher ‖ student) of the sentiment head per block, at T = 1
   * @param entityKl mean KL(teacher ‖ student) of the entity head per word query, at T = 1
   */
  public record Evaluation(
      double mse,
      double cosine,
      double clsCosine,
      long queries,
      double sentimentAgreement,
      double sentimentKl,
      double entityKl) {}

  /**
   * A training loss and its parts.
   *
   * @param total the scalar to minimise
   * @param states the mean squared error of the final states
   * @param heads W times the heads' soft-target loss (null when W = 0)
   */
  public record Loss(NDArray total, NDArray states, NDArray heads) {}

  /** Running sums over evaluation batches. */
  static final class Sums {
    private double squaredError;
    private double cosine;
    private double queries;
    private double clsCosine;
    private double clsQueries;
    private double agreeing;
    private double sentimentKl;
    private double entityKl;
    private double words;

    Evaluation evaluation() {
      return new Evaluation(
          squaredError / queries,
          cosine / queries,
          clsCosine / clsQueries,
          (long) queries,
          agreeing / clsQueries,
          sentimentKl / clsQueries,
          entityKl / Math.max(words, 1));
    }
  }

  private final NarrowBertModel student;
  private final NarrowBertModel teacher;
  private final ParameterStore parameterStore;
  private final DistillationTargets targets;
  private final SoftTargets heads;

  /** States only, as {@link DistillationTargets#STATES_ON_PACKED_BLOCKS}. */
  public DistillationObjective(
      NarrowBertModel student, NarrowBertModel teacher, ParameterStore parameterStore) {
    this(student, teacher, parameterStore, DistillationTargets.STATES_ON_PACKED_BLOCKS);
  }

  public DistillationObjective(
      NarrowBertModel student,
      NarrowBertModel teacher,
      ParameterStore parameterStore,
      DistillationTargets targets) {
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
    this.targets = targets;
    this.heads = new SoftTargets(parameterStore);
  }

  /** The scalar training loss: the student in training mode (dropout on). */
  public NDArray loss(DistillationBatch batch) {
    return loss(batch, true);
  }

  /** The scalar loss with the student in training or inference mode. */
  public NDArray loss(DistillationBatch batch, boolean training) {
    return parts(batch, training).total();
  }

  /** The loss and its parts; the heads only run when W > 0. */
  public Loss parts(DistillationBatch batch, boolean training) {
    NDArray target = teacherStates(batch); // (B, M, d)
    NDArray states = studentStates(batch, training); // (B, M, d)
    NDArray mse = maskedMean(squaredError(states, target), batch.queries().mask()); // scalar
    if (!targets.matchesHeads()) {
      return new Loss(mse, mse, null);
    }
    SoftTargets.Logits soft = withoutGradients(() -> heads.logits(teacher, target, false));
    NDArray kl =
        SoftTargets.loss(
            soft, heads.logits(student, states, training), batch.queries(), targets.temperature());
    NDArray weighted = kl.mul(targets.headWeight());
    return new Loss(mse.add(weighted), mse, weighted);
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
    SoftTargets.Logits teacherLogits = heads.logits(teacher, target, false);
    SoftTargets.Logits studentLogits = heads.logits(student, states, false);
    sums.agreeing +=
        teacherLogits
            .sentiment()
            .argMax(-1)
            .eq(studentLogits.sentiment().argMax(-1))
            .toType(DataType.FLOAT32, false)
            .sum()
            .getFloat();
    sums.sentimentKl +=
        SoftTargets.divergence(teacherLogits.sentiment(), studentLogits.sentiment(), 1f)
            .sum()
            .getFloat();
    NDArray words = SoftTargets.wordMask(queries);
    sums.entityKl +=
        SoftTargets.divergence(teacherLogits.entity(), studentLogits.entity(), 1f)
            .mul(words)
            .sum()
            .getFloat();
    sums.words += words.sum().getFloat();
  }

  private NDArray teacherStates(DistillationBatch batch) {
    return withoutGradients(
        () -> teacher.encode(parameterStore, batch.inputs(), batch.queries(), false).queryStates());
  }

  private static <T> T withoutGradients(java.util.function.Supplier<T> forward) {
    boolean recording = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      return forward.get();
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
