package dev.narrowbert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.narrowbert.inference.EncodedBatch;
import dev.narrowbert.model.EncoderOutput;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.tokenizer.Encoding;
import java.util.List;

/**
 * Sequence classification with [CLS] as the only query, so a NarrowBERT encoder computes its narrow
 * layers for one position per review. Shared by fine-tuning (logits in training mode) and {@code
 * eval} (predictions).
 */
public final class SentimentClassifier {

  private final NarrowBertModel model;
  private final ParameterStore parameterStore;
  private final int padId;

  public SentimentClassifier(NarrowBertModel model, ParameterStore parameterStore, int padId) {
    this.model = model;
    this.parameterStore = parameterStore;
    this.padId = padId;
  }

  /** The model whose heads this uses. */
  NarrowBertModel model() {
    return model;
  }

  /** Logits (B, C); arrays belong to {@code scope}. */
  public NDArray logits(NDManager scope, List<Encoding> encodings, boolean training) {
    EncodedBatch batch = EncodedBatch.of(scope, encodings, padId);
    QueryPositions cls = QueryPositions.cls(scope, encodings.size());
    EncoderOutput out = model.encode(parameterStore, batch.inputs(), cls, training);
    NDArray clsStates = out.queryStates().squeeze(1); // (B, d)
    return model.sentimentHead().forward(parameterStore, new NDList(clsStates), training).head();
  }

  /** Predicted class per review, in input order. */
  public int[] predict(NDManager manager, List<Encoding> encodings) {
    JniUtils.setGradMode(false);
    try (NDManager scope = manager.newSubManager()) {
      long[] classes = logits(scope, encodings, false).argMax(-1).toLongArray();
      int[] result = new int[classes.length];
      for (int i = 0; i < classes.length; i++) {
        result[i] = (int) classes[i];
      }
      return result;
    }
  }
}
