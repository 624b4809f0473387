package dev.narrowbert.pretrained;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.StreamSupport;

/**
 * The stored outputs of a reference BERT built from PyTorch's own modules ({@code
 * nn.TransformerEncoderLayer}, post-LayerNorm, exact GELU) on a deliberately odd tiny config:
 * hidden 32, 4 heads, intermediate 37, 3 layers, vocab 99, 11 positions, batch 13, sequence 7 with
 * padding and two segments. Written by {@code model-lib/src/test/python/make_bert_reference.py}
 * (which says how to re-run it) as {@code bert-reference.json} (config, inputs, tensor index) and
 * {@code bert-reference.bin} (little-endian float32).
 *
 * <p>Weights carry the Hugging Face BERT names, so {@link BertWeightMapping} loads them as it loads
 * a real checkpoint; {@code hidden_states.N} (B, L, d) is the output of the embeddings (N = 0) and
 * of layer N, as transformers' {@code output_hidden_states}.
 */
final class BertReference {

  private static final String NAME = "bert-reference";

  final int vocab;
  final int hidden;
  final int heads;
  final int intermediate;
  final int layers;
  final int maxPositions;
  final int typeVocab;
  final float layerNormEps;
  final int batch;
  final int length;
  final long[] inputIds;
  final long[] tokenTypeIds;
  final long[] attentionMask;
  final Map<String, PretrainedTensor> tensors = new LinkedHashMap<>();

  private BertReference(JsonNode header, FloatBuffer data) {
    JsonNode config = header.get("config");
    vocab = config.get("vocab_size").asInt();
    hidden = config.get("hidden_size").asInt();
    heads = config.get("num_attention_heads").asInt();
    intermediate = config.get("intermediate_size").asInt();
    layers = config.get("num_hidden_layers").asInt();
    maxPositions = config.get("max_position_embeddings").asInt();
    typeVocab = config.get("type_vocab_size").asInt();
    layerNormEps = (float) config.get("layer_norm_eps").asDouble();
    batch = header.get("input_ids").size();
    length = header.get("input_ids").get(0).size();
    inputIds = matrix(header.get("input_ids"));
    tokenTypeIds = matrix(header.get("token_type_ids"));
    attentionMask = matrix(header.get("attention_mask"));
    for (JsonNode entry : header.get("tensors")) {
      long[] shape = new long[entry.get("shape").size()];
      int size = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = entry.get("shape").get(i).asLong();
        size *= (int) shape[i];
      }
      float[] values = new float[size];
      data.position(entry.get("offset").asInt());
      data.get(values);
      String name = entry.get("name").asText();
      tensors.put(name, new PretrainedTensor(name, shape, values));
    }
  }

  /** Reads the fixture from the test class path. */
  static BertReference load() {
    try (InputStream json = resource(".json");
        InputStream bin = resource(".bin")) {
      JsonNode header = new ObjectMapper().readTree(json);
      FloatBuffer data =
          ByteBuffer.wrap(bin.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      return new BertReference(header, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream resource(String suffix) throws IOException {
    InputStream in = BertReference.class.getResourceAsStream(NAME + suffix);
    if (in == null) {
      throw new IOException("no test resource " + NAME + suffix + " next to BertReference");
    }
    return in;
  }

  private static long[] matrix(JsonNode rows) {
    return StreamSupport.stream(rows.spliterator(), false)
        .flatMap(row -> StreamSupport.stream(row.spliterator(), false))
        .mapToLong(JsonNode::asLong)
        .toArray();
  }

  /** Our model with the reference weights: BERT for a stack without {@code :}, else NarrowBERT. */
  NarrowBertModel model(NDManager manager, String layerStack, boolean fusedKeyValue)
      throws IOException {
    NarrowBertConfig config =
        NarrowBertConfig.of(vocab, "", hidden, heads, intermediate, layerStack, maxPositions)
            .withFusedKeyValue(fusedKeyValue);
    if (config.typeVocabSize() != typeVocab || config.layerNormEps() != layerNormEps) {
      throw new IllegalStateException("the fixture's type_vocab_size or layer_norm_eps changed");
    }
    NarrowBertModel model = new NarrowBertModel(config);
    model.initializeWeights(manager, 1);
    BertWeightMapping.apply(tensors, model); // the task heads keep their initialisation
    return model;
  }

  ModelInputs inputs(NDManager manager) {
    Shape shape = new Shape(batch, length);
    return new ModelInputs(
        manager.create(inputIds, shape),
        manager.create(tokenTypeIds, shape),
        manager.create(attentionMask, shape));
  }

  /** Tokens (not padding) of example {@code b}. */
  int tokens(int b) {
    int n = 0;
    for (int t = 0; t < length; t++) {
      n += (int) attentionMask[b * length + t];
    }
    return n;
  }

  /** The reference states after {@code layer} layers (0: the embeddings), (B, L, d) row-major. */
  float[] hiddenStates(int layer) {
    return tensors.get("hidden_states." + layer).values();
  }
}
