package dev.narrowbert.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.tokenizer.Truncation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to rebuild a NarrowBERT/BERT model, saved as {@code config.json} beside the
 * weights. Field names follow HF {@code BertConfig} where one exists; the layer stack is in the
 * sublayer notation of Li et al. (2023), see {@link LayerStack}.
 *
 * @param modelVersion free-form version of the trained artifact, reported with every prediction
 * @param vocabSize number of WordPiece ids; rows of the word embedding and of the MLM decoder
 * @param vocabHash SHA-256 (hex) of {@code vocab.txt}; loading fails if the vocab file differs
 * @param hiddenSize d, the width of every hidden state
 * @param numAttentionHeads heads per attention sublayer; must divide {@code hiddenSize}
 * @param intermediateSize width of the feed-forward sublayer's inner dense layer
 * @param layerStack sublayer notation, e.g. {@code "sfsf:sfsf"} (validated by {@link LayerStack})
 * @param maxPositionEmbeddings learned absolute positions; also the tokenizer's truncation length
 * @param typeVocabSize token-type (segment) ids; 2 as in BERT
 * @param hiddenDropout dropout after embeddings and after each sublayer's output projection
 * @param attentionDropout dropout on attention probabilities
 * @param layerNormEps LayerNorm epsilon (1e-12 in BERT)
 * @param initializerRange standard deviation of the normal weight initialisation (0.02 in BERT)
 * @param sentimentLabels sequence-classification labels, index = class id
 * @param entityLabels BIO token-classification tags, index = class id; must contain {@code O}
 * @param pooling how {@code ReviewAnalyzer} turns a review into one embedding vector
 * @param fusedKeyValue compute K and V of all narrow attention sublayers with one matmul over H
 * @param truncation which tokens of a longer review are kept ({@code head} or {@code head_tail})
 * @param entityGate the entity gate, {@link EntityGateSpec#NONE} without one (also when a
 *     config.json has no {@code entity_gate}, as those written before the gate existed)
 */
public record NarrowBertConfig(
    @JsonProperty("model_version") String modelVersion,
    @JsonProperty("vocab_size") int vocabSize,
    @JsonProperty("vocab_hash") String vocabHash,
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("num_attention_heads") int numAttentionHeads,
    @JsonProperty("intermediate_size") int intermediateSize,
    @JsonProperty("layer_stack") String layerStack,
    @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
    @JsonProperty("type_vocab_size") int typeVocabSize,
    @JsonProperty("hidden_dropout") float hiddenDropout,
    @JsonProperty("attention_dropout") float attentionDropout,
    @JsonProperty("layer_norm_eps") float layerNormEps,
    @JsonProperty("initializer_range") float initializerRange,
    @JsonProperty("sentiment_labels") List<String> sentimentLabels,
    @JsonProperty("entity_labels") List<String> entityLabels,
    @JsonProperty("pooling") Pooling pooling,
    @JsonProperty("fused_key_value") boolean fusedKeyValue,
    @JsonProperty("truncation") Truncation truncation,
    @JsonProperty("entity_gate") EntityGateSpec entityGate) {

  /** Review sentiment classes. */
  public static final List<String> SENTIMENT_LABELS = List.of("negative", "positive");

  /** CoNLL-2003 BIO tags. */
  public static final List<String> ENTITY_LABELS =
      List.of("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC");

  /** The only optional field: a config.json without it has no gate. */
  private static final String ENTITY_GATE = "entity_gate";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  /** Validates every field; throws {@link IllegalArgumentException} naming the first bad one. */
  public NarrowBertConfig {
    require(modelVersion != null && !modelVersion.isBlank(), "model_version must be set");
    require(vocabSize > 0, "vocab_size must be > 0, was " + vocabSize);
    require(vocabHash != null, "vocab_hash must be set");
    require(hiddenSize > 0, "hidden_size must be > 0, was " + hiddenSize);
    require(
        numAttentionHeads > 0 && hiddenSize % numAttentionHeads == 0,
        "num_attention_heads (" + numAttentionHeads + ") must divide hidden_size " + hiddenSize);
    require(intermediateSize > 0, "intermediate_size must be > 0, was " + intermediateSize);
    LayerStack.parse(layerStack);
    require(maxPositionEmbeddings >= 2, "max_position_embeddings must be >= 2 ([CLS] and [SEP])");
    require(typeVocabSize > 0, "type_vocab_size must be > 0, was " + typeVocabSize);
    require(hiddenDropout >= 0 && hiddenDropout < 1, "hidden_dropout must be in [0, 1)");
    require(attentionDropout >= 0 && attentionDropout < 1, "attention_dropout must be in [0, 1)");
    require(layerNormEps > 0, "layer_norm_eps must be > 0");
    require(initializerRange > 0, "initializer_range must be > 0");
    require(sentimentLabels != null && sentimentLabels.size() >= 2, "need >= 2 sentiment_labels");
    require(entityLabels != null && entityLabels.contains("O"), "entity_labels must contain O");
    for (String tag : entityLabels) {
      require(tag.equals("O") || tag.matches("[BI]-\\S+"), "entity label '" + tag + "' is not BIO");
    }
    require(pooling != null, "pooling must be set (cls or mean)");
    require(truncation != null, "truncation must be set (head or head_tail)");
    require(entityGate != null, "entity_gate must be an object or absent, not null");
    sentimentLabels = List.copyOf(sentimentLabels);
    entityLabels = List.copyOf(entityLabels);
  }

  /**
   * Named presets. {@code base} is the benchmark shape: 12 layers SparseQueries k=2, hidden 256, 4
   * heads, FF 1024, 512 positions. {@code tiny} and {@code mini} are for tests and smoke runs.
   */
  public static NarrowBertConfig preset(String name, int vocabSize, String vocabHash) {
    return switch (name) {
      case "tiny" -> of(vocabSize, vocabHash, 64, 2, 128, "sf:sf", 128);
      case "mini" -> of(vocabSize, vocabHash, 128, 2, 512, LayerStack.sparseQueries(4, 2), 256);
      case "base" -> of(vocabSize, vocabHash, 256, 4, 1024, LayerStack.sparseQueries(12, 2), 512);
      default ->
          throw new IllegalArgumentException(
              "unknown preset '" + name + "' (expected tiny, mini or base)");
    };
  }

  /** A config with BERT's defaults for everything but the sizes. */
  public static NarrowBertConfig of(
      int vocabSize,
      String vocabHash,
      int hiddenSize,
      int heads,
      int intermediateSize,
      String layerStack,
      int maxPositions) {
    return new NarrowBertConfig(
        "0.1.0",
        vocabSize,
        vocabHash,
        hiddenSize,
        heads,
        intermediateSize,
        layerStack,
        maxPositions,
        2,
        0.1f,
        0.1f,
        1e-12f,
        0.02f,
        SENTIMENT_LABELS,
        ENTITY_LABELS,
        Pooling.CLS,
        true,
        Truncation.HEAD,
        EntityGateSpec.NONE);
  }

  /** The parsed {@link #layerStack}. */
  @JsonIgnore
  public LayerStack stack() {
    return LayerStack.parse(layerStack);
  }

  /** d / heads. */
  @JsonIgnore
  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  public NarrowBertConfig withModelVersion(String version) {
    return with(Map.of("model_version", version));
  }

  public NarrowBertConfig withLayerStack(String stack) {
    return with(Map.of("layer_stack", stack));
  }

  public NarrowBertConfig withPooling(Pooling newPooling) {
    return with(Map.of("pooling", newPooling));
  }

  public NarrowBertConfig withFusedKeyValue(boolean fused) {
    return with(Map.of("fused_key_value", fused));
  }

  public NarrowBertConfig withMaxPositions(int positions) {
    return with(Map.of("max_position_embeddings", positions));
  }

  public NarrowBertConfig withTruncation(Truncation newTruncation) {
    return with(Map.of("truncation", newTruncation));
  }

  public NarrowBertConfig withEntityGate(EntityGateSpec gate) {
    return with(Map.of("entity_gate", gate));
  }

  public NarrowBertConfig withVocab(int size, String hash) {
    return with(Map.of("vocab_size", size, "vocab_hash", hash));
  }

  public NarrowBertConfig withHiddenSize(int hidden, int heads, int intermediate) {
    return with(
        Map.of(
            "hidden_size", hidden,
            "num_attention_heads", heads,
            "intermediate_size", intermediate));
  }

  /**
   * A copy with some fields changed, given by their JSON names: the same path as loading a
   * config.json, so the copy is validated by the canonical constructor.
   *
   * @throws IllegalArgumentException if the changed config is invalid
   */
  private NarrowBertConfig with(Map<String, Object> changes) {
    ObjectNode json = JSON.valueToTree(this);
    changes.forEach((field, value) -> json.set(field, JSON.valueToTree(value)));
    try {
      return JSON.treeToValue(json, NarrowBertConfig.class);
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof IllegalArgumentException invalid) {
        throw invalid;
      }
      throw new IllegalArgumentException("invalid config: " + e.getOriginalMessage(), e);
    }
  }

  public void save(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  /** Reads and validates a {@code config.json}. */
  public static NarrowBertConfig load(Path file) throws IOException {
    try {
      if (!(JSON.readTree(file.toFile()) instanceof ObjectNode json)) {
        throw new IOException("invalid " + file + ": not a JSON object");
      }
      if (!json.has(ENTITY_GATE)) {
        json.set(ENTITY_GATE, JSON.valueToTree(EntityGateSpec.NONE));
      }
      return JSON.treeToValue(json, NarrowBertConfig.class);
    } catch (IOException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new IOException("invalid " + file + ": " + cause.getMessage(), e);
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
