package dev.narrowbert.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * NarrowBERT (Li et al., ACL 2023, arXiv 2301.04761) or BERT (a stack without {@code :}) with its
 * three task heads. One {@link #encode} pass serves every head whose query positions are in the
 * {@link QueryPositions}; each head then reads its own positions from {@link
 * EncoderOutput#queryStates()}.
 *
 * <p>Child names ({@code embeddings}, {@code encoder}, {@code mlm}, {@code sentiment}, {@code
 * entities}) and their order are the checkpoint format.
 */
public final class NarrowBertModel extends AbstractBlock {

  private final NarrowBertConfig config;
  private final Embeddings embeddings;
  private final NarrowEncoder encoder;
  private final MlmHead mlmHead;
  private final SequenceClassificationHead sentimentHead;
  private final TokenClassificationHead entityHead;
  private final EntityGate entityGate;

  public NarrowBertModel(NarrowBertConfig config) {
    this.config = config;
    embeddings = addChildBlock("embeddings", new Embeddings(config));
    encoder = addChildBlock("encoder", new NarrowEncoder(config));
    mlmHead = addChildBlock("mlm", new MlmHead(config, embeddings.wordEmbeddings()));
    sentimentHead = addChildBlock("sentiment", new SequenceClassificationHead(config));
    entityHead = addChildBlock("entities", new TokenClassificationHead(config));
    // Last and only with a gate, so checkpoints without one keep their layout.
    entityGate =
        config.entityGate().present() ? addChildBlock("gate", new EntityGate(config)) : null;
  }

  public NarrowBertConfig config() {
    return config;
  }

  public MlmHead mlmHead() {
    return mlmHead;
  }

  public SequenceClassificationHead sentimentHead() {
    return sentimentHead;
  }

  public TokenClassificationHead entityHead() {
    return entityHead;
  }

  /** The entity gate, or null if the config has none ({@link EntityGateSpec#present()}). */
  public EntityGate entityGate() {
    return entityGate;
  }

  /**
   * The one place weights are initialised, as {@code BertPreTrainedModel._init_weights}: every
   * weight matrix and embedding ~ N(0, initializer_range²), biases and LayerNorm β 0, LayerNorm γ
   * 1. Seeded through the engine's RNG so a seed gives the same weights.
   */
  public void initializeWeights(NDManager manager, int seed) {
    Engine.getInstance().setRandomSeed(seed);
    setInitializer(new NormalInitializer(config.initializerRange()), Parameter.Type.WEIGHT);
    Shape ids = new Shape(1, 1);
    initialize(manager, DataType.FLOAT32, ids, ids, ids, ids, ids);
  }

  /** Embeddings then the encoder stack; see {@link NarrowEncoder}. */
  public EncoderOutput encode(
      ParameterStore ps, ModelInputs inputs, QueryPositions queries, boolean training) {
    return encodeNarrow(ps, encodeFullLength(ps, inputs, training), queries, training);
  }

  /** Embeddings then the full-length sublayers: the states the queries are chosen from. */
  public FullLengthStates encodeFullLength(
      ParameterStore ps, ModelInputs inputs, boolean training) {
    NDArray embedded =
        embeddings
            .forward(ps, new NDList(inputs.tokenIds(), inputs.tokenTypeIds()), training)
            .head(); // (B, L, d)
    return encoder.fullLength(ps, embedded, inputs.attentionMask(), training);
  }

  /** The narrow sublayers for {@code queries}, from {@link #encodeFullLength}. */
  public EncoderOutput encodeNarrow(
      ParameterStore ps, FullLengthStates context, QueryPositions queries, boolean training) {
    return encoder.narrow(ps, context, queries, training);
  }

  /** Inputs: ids, type ids, attention mask (B, L), query positions and mask (B, M). */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    ModelInputs model = new ModelInputs(inputs.get(0), inputs.get(1), inputs.get(2));
    EncoderOutput out =
        encode(ps, model, new QueryPositions(inputs.get(3), inputs.get(4)), training);
    return new NDList(out.contextStates(), out.queryStates());
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    Shape ids = new Shape(1, 1);
    Shape states = new Shape(1, 1, config.hiddenSize());
    embeddings.initialize(manager, dataType, ids, ids);
    encoder.initialize(manager, dataType, states, ids, ids, ids);
    mlmHead.initialize(manager, dataType, states);
    sentimentHead.initialize(manager, dataType, new Shape(1, config.hiddenSize()));
    entityHead.initialize(manager, dataType, states);
    if (entityGate != null) {
      entityGate.initialize(manager, dataType, states, new Shape(1, 1, EntityGate.CASE_FEATURES));
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape ids = inputShapes[0];
    Shape queries = inputShapes[3];
    long d = config.hiddenSize();
    return new Shape[] {
      new Shape(ids.get(0), ids.get(1), d), new Shape(queries.get(0), queries.get(1), d)
    };
  }
}
