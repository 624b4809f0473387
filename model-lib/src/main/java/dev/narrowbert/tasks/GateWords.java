package dev.narrowbert.tasks;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.narrowbert.inference.EncodedBatch;
import dev.narrowbert.model.EntityGate;
import dev.narrowbert.model.FullLengthStates;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Words as the entity gate sees them in {@link EntityGateTraining}: the full-length states (N, d)
 * at every kept word's first sub-token, its case features (N, 3), and whether it is part of an
 * entity (its gold tag is not {@code O}). The encoder is frozen, so these are computed once.
 */
record GateWords(float[] states, float[] cases, boolean[] entity, int hidden) {

  private static final int ENCODE_BATCH = 32;

  int count() {
    return entity.length;
  }

  long entities() {
    long n = 0;
    for (boolean e : entity) {
      n += e ? 1 : 0;
    }
    return n;
  }

  /**
   * The words of {@code sentences} after {@code start}'s embeddings and full layers only; {@code
   * outsideTag} is the index of {@code O}.
   */
  static GateWords encode(
      NarrowBertModel start,
      int padId,
      int outsideTag,
      NDManager manager,
      List<TaggedSentence> sentences) {
    int d = start.config().hiddenSize();
    List<float[]> chunks = new ArrayList<>();
    List<float[]> caseChunks = new ArrayList<>();
    List<Boolean> labels = new ArrayList<>();
    ParameterStore ps = new ParameterStore(manager, false);
    JniUtils.setGradMode(false);
    for (int from = 0; from < sentences.size(); from += ENCODE_BATCH) {
      List<TaggedSentence> batch =
          sentences.subList(from, Math.min(from + ENCODE_BATCH, sentences.size()));
      try (NDManager scope = manager.newSubManager()) {
        EncodedBatch encoded =
            EncodedBatch.of(
                scope, batch.stream().map(TaggedSentence::encoding).toList(), padId, false);
        FullLengthStates context = start.encodeFullLength(ps, encoded.inputs(), false);
        List<int[]> positions = batch.stream().map(TaggedSentence::queryPositions).toList();
        QueryPositions queries = QueryPositions.of(scope, positions);
        float[] states = queries.gather(context.states()).toFloatArray(); // (B, W, d)
        int width = (int) queries.count();
        for (int b = 0; b < batch.size(); b++) {
          TaggedSentence sentence = batch.get(b);
          int[] kept = positions.get(b);
          chunks.add(Arrays.copyOfRange(states, b * width * d, (b * width + kept.length) * d));
          caseChunks.add(EntityGate.caseFeatures(sentence.encoding(), kept, false));
          int[] tags = sentence.queryTags();
          for (int tag : tags) {
            labels.add(tag != outsideTag);
          }
        }
      }
    }
    boolean[] entity = new boolean[labels.size()];
    for (int i = 0; i < entity.length; i++) {
      entity[i] = labels.get(i);
    }
    return new GateWords(concatenate(chunks), concatenate(caseChunks), entity, d);
  }

  private static float[] concatenate(List<float[]> chunks) {
    float[] all = new float[chunks.stream().mapToInt(c -> c.length).sum()];
    int offset = 0;
    for (float[] chunk : chunks) {
      System.arraycopy(chunk, 0, all, offset, chunk.length);
      offset += chunk.length;
    }
    return all;
  }
}
