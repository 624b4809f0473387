package dev.narrowbert.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.EncoderOutput;
import dev.narrowbert.model.EntityGate;
import dev.narrowbert.model.FullLengthStates;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.Pooling;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Sentiment, named entities and an embedding for reviews, from one encoder pass per batch: the
 * queries are [CLS] and the first sub-token of every word (see {@link EncodedBatch}), or, with the
 * model's entity gate, of every word the gate passes (see {@link WordSlots}).
 *
 * <p>Each call works in its own {@code NDManager} sub-scope that is closed before it returns, so a
 * long-running job does not accumulate native memory. Not thread-safe: use one per thread.
 */
public final class ReviewAnalyzer implements AutoCloseable {

  private final NDManager manager;
  private final NarrowBertModel model;
  private final NarrowBertConfig config;
  private final ReviewTokenizer tokenizer;
  private final int padId;
  private final ParameterStore parameterStore;
  private final AnalysisDecoder decoder;
  private boolean entityGate;
  private long wordsSeen;
  private long wordQueries;

  private ReviewAnalyzer(NDManager manager, ModelDirectory checkpoint) {
    this.manager = manager;
    this.model = checkpoint.model();
    this.config = checkpoint.config();
    this.tokenizer = checkpoint.tokenizer();
    this.padId = checkpoint.vocabulary().padId();
    this.parameterStore = new ParameterStore(manager, false);
    this.decoder = new AnalysisDecoder(config);
    this.entityGate = model.entityGate() != null;
  }

  /**
   * @param device {@code auto|cpu|gpu|gpu:N}, see {@link DeviceOption}
   * @throws IOException if the model directory is missing or inconsistent
   */
  public static ReviewAnalyzer open(Path modelDirectory, String device) throws IOException {
    return open(modelDirectory, device, Precision.FP32);
  }

  /**
   * @param precision number format of weights and activations (outputs are always float32)
   */
  public static ReviewAnalyzer open(Path modelDirectory, String device, Precision precision)
      throws IOException {
    return open(modelDirectory, device, precision, UnaryOperator.identity());
  }

  /**
   * @param adjust changes the saved config in ways that keep the weights' layout, e.g. runs the
   *     same weights as BERT (see {@link ModelDirectory#load(Path, NDManager, UnaryOperator)})
   */
  public static ReviewAnalyzer open(
      Path modelDirectory,
      String device,
      Precision precision,
      UnaryOperator<NarrowBertConfig> adjust)
      throws IOException {
    Device resolved = DeviceOption.resolve(device);
    NDManager manager = NDManager.newBaseManager(resolved);
    try {
      ModelDirectory checkpoint = ModelDirectory.load(modelDirectory, manager, adjust);
      precision.castWeights(checkpoint.model(), manager);
      return new ReviewAnalyzer(manager, checkpoint);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public NarrowBertConfig config() {
    return config;
  }

  /**
   * Turns the model's entity gate on (the default when the model has one) or off (every word is an
   * NER query). A model without a gate ignores {@code on}.
   */
  public ReviewAnalyzer useEntityGate(boolean on) {
    entityGate = on && model.entityGate() != null;
    return this;
  }

  /** Whether entity queries are gated. */
  public boolean entityGated() {
    return entityGate;
  }

  /**
   * Words analysed for entities so far and how many of them became queries of the narrow layers
   * (all of them without the gate).
   */
  public QueryShare queryShare() {
    return new QueryShare(wordsSeen, wordQueries);
  }

  /**
   * @param words words of the reviews analysed for entities
   * @param queries words that the narrow layers computed
   */
  public record QueryShare(long words, long queries) {
    public double share() {
      return words == 0 ? 0 : (double) queries / words;
    }
  }

  /** The device the weights live on and inference runs on. */
  public ai.djl.Device device() {
    return manager.getDevice();
  }

  /** The manager that owns the weights; per-call arrays never stay in it. */
  NDManager manager() {
    return manager;
  }

  /**
   * Tokenises one review the way {@link #analyze} does (HTML line breaks blanked out, offsets into
   * the original), for callers that batch by token count and must not tokenise twice.
   */
  public Encoding encode(String text) {
    return tokenizer.encode(text);
  }

  public List<Analysis> analyze(List<String> texts) {
    return analyzeEncoded(texts.stream().map(this::encode).toList());
  }

  /** Analyses reviews tokenised by {@link #encode}; results are in input order. */
  public List<Analysis> analyzeEncoded(List<Encoding> encodings) {
    return analyzeEncoded(encodings, AnalysisPart.all());
  }

  /**
   * Like {@link #analyzeEncoded(List)}, computing only {@code parts}; the parts left out are empty
   * in the results (see {@link Analysis}). Without {@link AnalysisPart#ENTITIES} the only query is
   * [CLS], so the narrow layers do a fraction of the work; what is computed is the same as with
   * every part. With the entity gate on, only the words the gate passes are NER queries; the others
   * are tagged {@code O} (their score is the gate's probability of not being part of an entity).
   */
  public List<Analysis> analyzeEncoded(List<Encoding> encodings, Set<AnalysisPart> parts) {
    if (encodings.isEmpty()) {
      return List.of();
    }
    boolean entities = parts.contains(AnalysisPart.ENTITIES);
    // Torch's grad mode is per thread and on by default; inference never needs the graph.
    JniUtils.setGradMode(false);
    try (NDManager scope = manager.newSubManager()) {
      EncodedBatch batch = EncodedBatch.of(scope, encodings, padId, entities);
      WordSlots slots = WordSlots.ungated(batch.firstSubTokens());
      EncoderOutput out;
      if (entities && entityGate) {
        FullLengthStates context = model.encodeFullLength(parameterStore, batch.inputs(), false);
        float[][] gate =
            model
                .entityGate()
                .probabilities(parameterStore, context.states(), batch.firstSubTokens(), encodings);
        float[] thresholds = new float[encodings.size()];
        for (int b = 0; b < thresholds.length; b++) {
          thresholds[b] =
              config.entityGate().thresholdFor(EntityGate.hasCapitals(encodings.get(b)));
        }
        slots = WordSlots.gated(batch.firstSubTokens(), gate, thresholds);
        QueryPositions queries = QueryPositions.of(scope, slots.queries());
        out = model.encodeNarrow(parameterStore, context, queries, false);
      } else {
        out = model.encode(parameterStore, batch.inputs(), batch.queries(), false);
      }
      if (entities) {
        wordsSeen += slots.words();
        wordQueries += slots.queried();
      }
      NDArray queryStates = out.queryStates(); // (B, M, d); M = 1 without entities
      NDArray cls = queryStates.get(":, {}, :", EncodedBatch.CLS_SLOT); // (B, d)
      NDArray sentimentProbs =
          parts.contains(AnalysisPart.SENTIMENT)
              ? model
                  .sentimentHead()
                  .forward(parameterStore, new NDList(cls), false)
                  .head()
                  .softmax(-1) // (B, C)
              : null;
      NDArray tagProbs =
          entities
              ? model
                  .entityHead()
                  .forward(parameterStore, new NDList(queryStates), false)
                  .head()
                  .softmax(-1) // (B, M, T)
              : null;
      NDArray embeddings = null;
      if (parts.contains(AnalysisPart.EMBEDDING)) {
        embeddings =
            config.pooling() == Pooling.CLS
                ? cls
                : meanOverTokens(out.contextStates(), batch.inputs().attentionMask()); // (B, d)
      }
      return decoder.decode(encodings, batch, slots, sentimentProbs, tagProbs, embeddings);
    }
  }

  /** Mean of H over non-padding tokens: (B, L, d), (B, L) -> (B, d). */
  private static NDArray meanOverTokens(NDArray h, NDArray attentionMask) {
    NDArray mask = attentionMask.toType(h.getDataType(), false).expandDims(2); // (B, L, 1)
    return h.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1}));
  }

  @Override
  public void close() {
    manager.close();
  }
}
