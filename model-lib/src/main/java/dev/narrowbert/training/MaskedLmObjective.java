package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.narrowbert.model.EncoderOutput;
import dev.narrowbert.model.MaskedCrossEntropy;
import dev.narrowbert.model.NarrowBertModel;

/**
 * The masked-LM loss of a {@link NarrowBertModel}: encode with the selected positions as queries,
 * MLM head on the query states only, cross-entropy averaged over real (unpadded) selections.
 */
public final class MaskedLmObjective {

  /** Held-out figures: mean loss per prediction and top-1 accuracy. */
  public record Evaluation(double loss, double accuracy, long predictions) {}

  private final NarrowBertModel model;
  private final ParameterStore parameterStore;

  public MaskedLmObjective(NarrowBertModel model, ParameterStore parameterStore) {
    this.model = model;
    this.parameterStore = parameterStore;
  }

  /** Logits (B, M, V) at the selected positions. */
  public NDArray logits(MaskedLmBatch batch, boolean training) {
    EncoderOutput out = model.encode(parameterStore, batch.inputs(), batch.queries(), training);
    return model.mlmHead().forward(parameterStore, new NDList(out.queryStates()), training).head();
  }

  public NDArray loss(MaskedLmBatch batch) {
    return MaskedCrossEntropy.loss(
        logits(batch, true), batch.labels(), batch.queries().mask()); // scalar
  }

  /** Sums for one evaluation batch: {loss * n, correct, n}. */
  public double[] evaluate(MaskedLmBatch batch) {
    JniUtils.setGradMode(false);
    NDArray logits = logits(batch, false);
    NDArray mask = batch.queries().mask(); // (B, M)
    float n = mask.sum().getFloat();
    float loss = MaskedCrossEntropy.loss(logits, batch.labels(), mask).getFloat();
    NDArray correct =
        logits.argMax(-1).eq(batch.labels()).toType(DataType.FLOAT32, false).mul(mask).sum();
    return new double[] {loss * n, correct.getFloat(), n};
  }
}
