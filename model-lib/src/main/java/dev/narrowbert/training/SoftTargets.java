package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;

/**
 * The heads' soft targets of knowledge distillation (Hinton et al., 2015, "Distilling the Knowledge
 * in a Neural Network", Section 2): both models' logits are divided by a temperature T, and the
 * student is taught the teacher's softened distribution by KL(teacher ‖ student), scaled by T² so
 * that the gradients keep their size whatever T. Two heads read the final states: the sentiment
 * head at [CLS] (query slot 0) and the entity head at every other query position (it never reads
 * [CLS]).
 */
public final class SoftTargets {

  /**
   * Both heads' logits of one model.
   *
   * @param sentiment (B, C) at [CLS]
   * @param entity (B, M, T) at every query slot (slot 0 and padding slots to be masked)
   */
  public record Logits(NDArray sentiment, NDArray entity) {}

  private final ParameterStore parameterStore;

  public SoftTargets(ParameterStore parameterStore) {
    this.parameterStore = parameterStore;
  }

  /**
   * The heads of {@code model} on its final states at the query positions.
   *
   * @param states (B, M, d), slot 0 at [CLS]
   */
  public Logits logits(NarrowBertModel model, NDArray states, boolean training) {
    NDArray cls = states.get(new NDIndex(":, 0, :")); // (B, d)
    NDArray sentiment =
        model.sentimentHead().forward(parameterStore, new NDList(cls), training).head();
    NDArray entity =
        model.entityHead().forward(parameterStore, new NDList(states), training).head();
    return new Logits(sentiment, entity);
  }

  /**
   * T² · KL(teacher ‖ student) of the sentiment head (mean over the batch) plus the same of the
   * entity head (mean over the real query positions other than [CLS]).
   */
  public static NDArray loss(
      Logits teacher, Logits student, QueryPositions queries, float temperature) {
    NDArray sentiment = divergence(teacher.sentiment(), student.sentiment(), temperature).mean();
    NDArray words = wordMask(queries); // (B, M)
    NDArray entity =
        divergence(teacher.entity(), student.entity(), temperature)
            .mul(words)
            .sum()
            .div(words.sum().maximum(1f));
    return sentiment.add(entity).mul(temperature * temperature); // scalar
  }

  /** Real query slots other than [CLS] (B, M): where the entity head is compared. */
  public static NDArray wordMask(QueryPositions queries) {
    return queries
        .positions()
        .neq(0)
        .toType(queries.mask().getDataType(), false)
        .mul(queries.mask());
  }

  /**
   * KL(p ‖ q) over the last axis of p = softmax(teacher / T), q = softmax(student / T): (..., C) ->
   * (...). Exactly 0 where the logits are equal.
   */
  public static NDArray divergence(NDArray teacher, NDArray student, float temperature) {
    NDArray logP = teacher.div(temperature).logSoftmax(-1);
    NDArray logQ = student.div(temperature).logSoftmax(-1);
    return logP.exp().mul(logP.sub(logQ)).sum(new int[] {-1});
  }
}
