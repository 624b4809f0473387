package dev.narrowbert.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.narrowbert.model.LayerStack;
import dev.narrowbert.model.NarrowBertModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which Hugging Face BERT tensor fills which parameter of a {@link NarrowBertModel}.
 *
 * <p>Our parameters are named by the block tree ({@code encoder.sublayer_02_s.self.query.weight},
 * see {@link #parameters}); the n-th {@code s} and the n-th {@code f} of the layer stack are BERT
 * layer n whatever the position of {@code :}, so one pretrained BERT can be loaded as BERT or as
 * any NarrowBERT of the same depth. Parameters the source lacks (task heads, an MLM transform the
 * export dropped) keep their fresh initialisation and are listed by {@link #apply}.
 */
public final class BertWeightMapping {

  private BertWeightMapping() {}

  /** Our parameter path -> the Hugging Face name that fills it, for the model's layer stack. */
  public static Map<String, String> sources(NarrowBertModel model) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("embeddings.word_embeddings", "embeddings.word_embeddings.weight");
    map.put("embeddings.position_embeddings", "embeddings.position_embeddings.weight");
    map.put("embeddings.token_type_embeddings", "embeddings.token_type_embeddings.weight");
    layerNorm(map, "embeddings.layer_norm", "embeddings.LayerNorm");
    LayerStack stack = model.config().stack();
    List<LayerStack.Sublayer> sublayers = new ArrayList<>(stack.full());
    sublayers.addAll(stack.narrow());
    int attentions = 0;
    int feedForwards = 0;
    for (int i = 0; i < sublayers.size(); i++) {
      if (sublayers.get(i) == LayerStack.Sublayer.ATTENTION) {
        String ours = String.format(Locale.ROOT, "encoder.sublayer_%02d_s.", i);
        String hf = "encoder.layer." + attentions++ + ".attention.";
        for (String projection : List.of("query", "key", "value")) {
          linear(map, ours + "self." + projection, hf + "self." + projection);
        }
        linear(map, ours + "output.dense", hf + "output.dense");
        layerNorm(map, ours + "output.layer_norm", hf + "output.LayerNorm");
      } else {
        String ours = String.format(Locale.ROOT, "encoder.sublayer_%02d_f.", i);
        String hf = "encoder.layer." + feedForwards++ + ".";
        linear(map, ours + "intermediate", hf + "intermediate.dense");
        linear(map, ours + "output.dense", hf + "output.dense");
        layerNorm(map, ours + "output.layer_norm", hf + "output.LayerNorm");
      }
    }
    linear(map, "sentiment.pooler", "pooler.dense");
    linear(map, "mlm.transform", "cls.predictions.transform.dense");
    layerNorm(map, "mlm.layer_norm", "cls.predictions.transform.LayerNorm");
    map.put("mlm.decoder_bias", "cls.predictions.bias");
    return map;
  }

  /**
   * Copies every tensor the source has into the model's (initialised) parameters.
   *
   * @return the parameters the source did not fill (they keep their initialisation)
   * @throws IOException naming the first tensor whose shape does not fit, or the encoder layers the
   *     source lacks
   */
  public static List<String> apply(Map<String, PretrainedTensor> tensors, NarrowBertModel model)
      throws IOException {
    Map<String, Parameter> parameters = parameters(model);
    List<String> missing = new ArrayList<>();
    int maxPositions = model.config().maxPositionEmbeddings();
    for (Map.Entry<String, String> entry : sources(model).entrySet()) {
      Parameter parameter = parameters.get(entry.getKey());
      if (parameter == null) {
        throw new IllegalStateException("no parameter " + entry.getKey() + " in the model");
      }
      PretrainedTensor tensor = tensors.get(entry.getValue());
      if (tensor == null) {
        if (entry.getKey().startsWith("encoder.") || entry.getKey().startsWith("embeddings.")) {
          throw new IOException(
              "the pretrained weights have no "
                  + entry.getValue()
                  + " (layer_stack "
                  + model.config().layerStack()
                  + " needs "
                  + layers(model)
                  + " BERT layers; the source has "
                  + sourceLayers(tensors)
                  + ")");
        }
        missing.add(entry.getKey());
        continue;
      }
      if (entry.getKey().equals("embeddings.position_embeddings")
          && tensor.shape()[0] > maxPositions) {
        tensor = tensor.firstRows(maxPositions);
      }
      NDArray array = parameter.getArray();
      Shape want = array.getShape();
      if (!want.equals(new Shape(tensor.shape()))) {
        throw new IOException(
            "pretrained "
                + tensor.name()
                + " has shape "
                + PretrainedTensor.describe(tensor.shape())
                + " but "
                + entry.getKey()
                + " of the config has shape "
                + want
                + " (hidden_size "
                + model.config().hiddenSize()
                + ", intermediate_size "
                + model.config().intermediateSize()
                + ", max_position_embeddings "
                + maxPositions
                + ")");
      }
      array.set(tensor.values());
    }
    return missing;
  }

  /** Number of BERT layers the model's stack has (its count of {@code s}). */
  static int layers(NarrowBertModel model) {
    LayerStack stack = model.config().stack();
    return (int)
        java.util.stream.Stream.concat(stack.full().stream(), stack.narrow().stream())
            .filter(s -> s == LayerStack.Sublayer.ATTENTION)
            .count();
  }

  static int sourceLayers(Map<String, PretrainedTensor> tensors) {
    TreeSet<Integer> layers = new TreeSet<>();
    for (String name : tensors.keySet()) {
      if (name.startsWith("encoder.layer.")) {
        String rest = name.substring("encoder.layer.".length());
        layers.add(Integer.parseInt(rest.substring(0, rest.indexOf('.'))));
      }
    }
    return layers.size();
  }

  /**
   * Every parameter of the model under its block path: child names without DJL's two-digit position
   * prefix, joined by dots, then the parameter's own name ({@code weight}, {@code bias}, {@code
   * gamma}, {@code beta}, {@code word_embeddings}, ...).
   */
  public static Map<String, Parameter> parameters(Block block) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    collect(block, "", out);
    return out;
  }

  /**
   * Copies every weight of {@code from} into the weight of the same name in {@code to}, e.g. into
   * the same model with another config (fewer positions, a layer stack with {@code :} moved, an
   * entity gate added). A source with more rows than its target gives its first rows (fewer learned
   * positions); weights only {@code to} has keep their values.
   */
  public static void copyWeights(Block from, Block to) {
    Map<String, Parameter> sources = parameters(from);
    for (Map.Entry<String, Parameter> target : parameters(to).entrySet()) {
      Parameter source = sources.get(target.getKey());
      if (source == null) {
        continue;
      }
      ai.djl.ndarray.NDArray values = source.getArray();
      long rows = target.getValue().getArray().getShape().get(0);
      if (values.getShape().get(0) != rows) {
        values = values.get("0:" + rows);
      }
      target.getValue().getArray().set(values.toFloatArray());
    }
  }

  private static void collect(Block block, String prefix, Map<String, Parameter> out) {
    for (Pair<String, Parameter> parameter : block.getDirectParameters()) {
      out.put(prefix + parameter.getKey(), parameter.getValue());
    }
    for (Pair<String, Block> child : block.getChildren()) {
      String name = child.getKey().replaceFirst("^\\d\\d", "");
      collect(child.getValue(), prefix + name + ".", out);
    }
  }

  private static void linear(Map<String, String> map, String ours, String hf) {
    map.put(ours + ".weight", hf + ".weight");
    map.put(ours + ".bias", hf + ".bias");
  }

  private static void layerNorm(Map<String, String> map, String ours, String hf) {
    map.put(ours + ".gamma", hf + ".weight");
    map.put(ours + ".beta", hf + ".bias");
  }
}
