package dev.narrowbert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.narrowbert.inference.EncodedBatch;
import dev.narrowbert.inference.TagDecoding;
import dev.narrowbert.model.EncoderOutput;
import dev.narrowbert.model.EntityGate;
import dev.narrowbert.model.FullLengthStates;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.tokenizer.Encoding;
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
  private boolean gated;
  private TagDecoding decoding = TagDecoding.BIO;
  private long words;
  private long queried;
  private long entityWords;
  private long entityWordsQueried;

  public EntityTagger(NarrowBertModel model, ParameterStore parameterStore, int padId) {
    this.model = model;
    this.parameterStore = parameterStore;
    this.padId = padId;
    this.outsideTag = model.config().entityLabels().indexOf("O");
    this.gated = model.entityGate() != null;
  }

  /** The model whose heads this uses. */
  NarrowBertModel model() {
    return model;
  }

  /**
   * With the model's entity gate (the default when it has one), {@link #predict} queries only the
   * words the gate passes and tags the others {@code O}; without it, every word. Training ({@link
   * #logits}) always queries every word.
   */
  public EntityTagger useEntityGate(boolean on) {
    gated = on && model.entityGate() != null;
    return this;
  }

  /**
   * How {@link #predict} chooses a sentence's tags from its words' tag probabilities; {@link
   * TagDecoding#BIO} unless set, as the analysis decodes.
   */
  public EntityTagger useTagDecoding(TagDecoding tagDecoding) {
    decoding = tagDecoding;
    return this;
  }

  public TagDecoding tagDecoding() {
    return decoding;
  }

  public boolean entityGated() {
    return gated;
  }

  /**
   * What {@link #predict} has queried so far.
   *
   * @param words words tagged (those truncation kept)
   * @param queried words the narrow layers computed
   * @param entityWords words whose gold tag is not {@code O}
   * @param entityWordsQueried of those, the ones that were queried: the gate's recall
   */
  public record QueryCounts(long words, long queried, long entityWords, long entityWordsQueried) {}

  public QueryCounts queryCounts() {
    return new QueryCounts(words, queried, entityWords, entityWordsQueried);
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
      List<int[]> positions = sentences.stream().map(TaggedSentence::queryPositions).toList();
      // Per sentence, the indices (into positions) of the words that are queries.
      List<int[]> kept;
      NDArray queryStates;
      if (gated) {
        List<Encoding> encodings = sentences.stream().map(TaggedSentence::encoding).toList();
        EncodedBatch batch = EncodedBatch.of(scope, encodings, padId, false);
        FullLengthStates context = model.encodeFullLength(parameterStore, batch.inputs(), false);
        float[][] gate =
            model
                .entityGate()
                .probabilities(parameterStore, context.states(), positions, encodings);
        kept = new java.util.ArrayList<>();
        for (int b = 0; b < gate.length; b++) {
          boolean capitals = EntityGate.hasCapitals(encodings.get(b));
          kept.add(EntityGate.passing(gate[b], model.config().entityGate().thresholdFor(capitals)));
        }
        List<int[]> keptPositions = new java.util.ArrayList<>();
        for (int b = 0; b < positions.size(); b++) {
          int[] p = positions.get(b);
          keptPositions.add(java.util.Arrays.stream(kept.get(b)).map(i -> p[i]).toArray());
        }
        queryStates =
            model
                .encodeNarrow(
                    parameterStore, context, QueryPositions.of(scope, keptPositions), false)
                .queryStates();
      } else {
        kept =
            positions.stream()
                .map(p -> java.util.stream.IntStream.range(0, p.length).toArray())
                .toList();
        EncodedBatch batch =
            EncodedBatch.of(
                scope, sentences.stream().map(TaggedSentence::encoding).toList(), padId);
        queryStates =
            model
                .encode(parameterStore, batch.inputs(), queries(scope, sentences), false)
                .queryStates();
      }
      int labels = model.config().entityLabels().size();
      float[] probabilities =
          model
              .entityHead()
              .forward(parameterStore, new NDList(queryStates), false)
              .head()
              .softmax(-1)
              .toFloatArray(); // (B*M*T)
      int width = (int) queryStates.getShape().get(1);
      int[][] tags = new int[sentences.size()][];
      for (int b = 0; b < sentences.size(); b++) {
        TaggedSentence sentence = sentences.get(b);
        int[] firstTokens = sentence.firstTokens();
        // Word index of each surviving position, in order.
        int[] wordOf =
            java.util.stream.IntStream.range(0, firstTokens.length)
                .filter(w -> firstTokens[w] >= 0)
                .toArray();
        int[] slots = kept.get(b);
        // Per word, its tag probabilities; null (O for certain) where it was not queried.
        float[][] rows = new float[firstTokens.length][];
        for (int slot = 0; slot < slots.length; slot++) {
          int from = (b * width + slot) * labels;
          rows[wordOf[slots[slot]]] =
              java.util.Arrays.copyOfRange(probabilities, from, from + labels);
        }
        tags[b] = decoding.decode(model.config().entityLabels(), rows);
        words += wordOf.length;
        queried += slots.length;
        boolean[] isQuery = new boolean[wordOf.length];
        for (int i : slots) {
          isQuery[i] = true;
        }
        for (int i = 0; i < wordOf.length; i++) {
          if (sentence.tags()[wordOf[i]] != outsideTag) {
            entityWords++;
            entityWordsQueried += isQuery[i] ? 1 : 0;
          }
        }
      }
      return tags;
    }
  }
}
