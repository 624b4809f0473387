package dev.narrowbert.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.narrowbert.inference.EncodedBatch;
import dev.narrowbert.model.EncoderOutput;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.training.TaggedSentence;
import java.util.List;

/**
 * Token classification of CoNLL words on their first sub-tokens (the queries). Shared by
 * fine-tuning (logits in training mode) and {@code eval} (one tag per word; words lost to
 * truncation are tagged {@code O}, which costs recall honestly).
 */
public final class EntityTagger {

  private final NarrowBertModel model;
  private final ParameterStore parameterStore;
  private final int padId;
  private final int outsideTag;

  public EntityTagger(NarrowBertModel model, ParameterStore parameterStore, int padId) {
    this.model = model;
    this.parameterStore = parameterStore;
    this.padId = padId;
    this.outsideTag = model.config().entityLabels().indexOf("O");
  }

  /** The packed word queries of a batch. */
  public static QueryPositions queries(NDManager scope, List<TaggedSentence> sentences) {
    return QueryPositions.of(
        scope, sentences.stream().map(TaggedSentence::queryPositions).toList());
  }

  /** Logits (B, M, T) over {@code queries}; arrays belong to {@code scope}. */
  public NDArray logits(
      NDManager scope, List<TaggedSentence> sentences, QueryPositions queries, boolean training) {
    EncodedBatch batch =
        EncodedBatch.of(scope, sentences.stream().map(TaggedSentence::encoding).toList(), padId);
    EncoderOutput out = model.encode(parameterStore, batch.inputs(), queries, training);
    return model
        .entityHead()
        .forward(parameterStore, new NDList(out.queryStates()), training)
        .head();
  }

  /** Predicted tag id per CoNLL word of every sentence. */
  public int[][] predict(NDManager manager, List<TaggedSentence> sentences) {
    JniUtils.setGradMode(false);
    try (NDManager scope = manager.newSubManager()) {
      QueryPositions queries = queries(scope, sentences);
      long[] best = logits(scope, sentences, queries, false).argMax(-1).toLongArray(); // (B*M)
      int width = (int) queries.count();
      int[][] tags = new int[sentences.size()][];
      for (int b = 0; b < sentences.size(); b++) {
        int[] firstTokens = sentences.get(b).firstTokens();
        tags[b] = new int[firstTokens.length];
        int slot = 0;
        for (int w = 0; w < firstTokens.length; w++) {
          tags[b][w] = firstTokens[w] >= 0 ? (int) best[b * width + slot++] : outsideTag;
        }
      }
      return tags;
    }
  }
}
