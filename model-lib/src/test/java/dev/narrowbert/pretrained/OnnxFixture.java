package dev.narrowbert.pretrained;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny BERT written as ONNX the way Hugging Face exports are (Linear weights renamed {@code
 * onnx::MatMul_N} and stored (in, out), wired MatMul -> Add(bias)), with odd sizes so that a
 * swapped axis cannot pass: vocab 53, hidden 36, FF 37, 11 positions, 2 layers.
 */
final class OnnxFixture {

  static final int VOCAB = 53;
  static final int HIDDEN = 36;
  static final int FF = 37;
  static final int POSITIONS = 11;
  static final int LAYERS = 2;

  /** The tensors in Hugging Face layout ((out, in) Linear weights), by name. */
  final Map<String, PretrainedTensor> tensors = new LinkedHashMap<>();

  private final Random random = new Random(7);

  OnnxFixture() {
    add("embeddings.word_embeddings.weight", VOCAB, HIDDEN);
    add("embeddings.position_embeddings.weight", POSITIONS, HIDDEN);
    add("embeddings.token_type_embeddings.weight", 2, HIDDEN);
    add("embeddings.LayerNorm.weight", HIDDEN);
    add("embeddings.LayerNorm.bias", HIDDEN);
    for (int n = 0; n < LAYERS; n++) {
      String layer = "encoder.layer." + n + ".";
      for (String p : List.of("query", "key", "value")) {
        linear(layer + "attention.self." + p, HIDDEN, HIDDEN);
      }
      linear(layer + "attention.output.dense", HIDDEN, HIDDEN);
      add(layer + "attention.output.LayerNorm.weight", HIDDEN);
      add(layer + "attention.output.LayerNorm.bias", HIDDEN);
      linear(layer + "intermediate.dense", FF, HIDDEN);
      linear(layer + "output.dense", HIDDEN, FF);
      add(layer + "output.LayerNorm.weight", HIDDEN);
      add(layer + "output.LayerNorm.bias", HIDDEN);
    }
    linear("pooler.dense", HIDDEN, HIDDEN);
  }

  private void linear(String name, int out, int in) {
    add(name + ".weight", out, in);
    add(name + ".bias", out);
  }

  private void add(String name, long... shape) {
    int size = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextGaussian();
    }
    tensors.put(name, new PretrainedTensor(name, shape, values));
  }

  /** The model as ONNX bytes, optionally with {@code bert.} before every name. */
  byte[] onnx(boolean bertPrefix) throws IOException {
    String prefix = bertPrefix ? "bert." : "";
    List<byte[]> nodes = new ArrayList<>();
    List<byte[]> initializers = new ArrayList<>();
    int matmul = 0;
    for (PretrainedTensor tensor : tensors.values()) {
      String name = tensor.name();
      if (name.endsWith(".weight")
          && tensors.containsKey(name.replace(".weight", ".bias"))
          && !name.contains("LayerNorm")
          && !name.startsWith("embeddings.")) {
        String renamed = "onnx::MatMul_" + (1000 + matmul);
        String bias = prefix + name.replace(".weight", ".bias");
        String product = "/matmul_" + matmul + "_output_0";
        nodes.add(node("MatMul", List.of("/x_" + matmul, renamed), product));
        // Exports put the bias first or second; both occur.
        List<String> addInputs = matmul % 2 == 0 ? List.of(bias, product) : List.of(product, bias);
        nodes.add(node("Add", addInputs, "/add_" + matmul + "_output_0"));
        initializers.add(tensor(renamed, tensor.transposed(renamed), matmul % 3 == 0));
        matmul++;
      } else {
        initializers.add(tensor(prefix + name, tensor, false));
      }
    }
    ByteArrayOutputStream graphBytes = new ByteArrayOutputStream();
    CodedOutputStream graph = CodedOutputStream.newInstance(graphBytes);
    for (byte[] node : nodes) {
      graph.writeByteArray(1, node);
    }
    graph.writeString(2, "main_graph");
    for (byte[] initializer : initializers) {
      graph.writeByteArray(5, initializer);
    }
    graph.flush();
    ByteArrayOutputStream modelBytes = new ByteArrayOutputStream();
    CodedOutputStream model = CodedOutputStream.newInstance(modelBytes);
    model.writeInt64(1, 8); // ir_version
    model.writeString(2, "pytorch"); // producer_name
    model.writeByteArray(7, graphBytes.toByteArray());
    model.flush();
    return modelBytes.toByteArray();
  }

  private static byte[] node(String op, List<String> inputs, String output) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream node = CodedOutputStream.newInstance(bytes);
    for (String input : inputs) {
      node.writeString(1, input);
    }
    node.writeString(2, output);
    node.writeString(4, op);
    node.flush();
    return bytes.toByteArray();
  }

  /** A TensorProto; {@code floatData} uses the packed float_data field instead of raw_data. */
  private static byte[] tensor(String name, PretrainedTensor tensor, boolean floatData)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    for (long dim : tensor.shape()) {
      out.writeInt64(1, dim); // unpacked dims
    }
    out.writeInt32(2, 1); // FLOAT
    float[] values = tensor.values();
    if (floatData) {
      out.writeTag(4, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(values.length * Float.BYTES);
      for (float v : values) {
        out.writeFloatNoTag(v);
      }
    }
    out.writeString(8, name);
    if (!floatData) {
      ByteBuffer raw =
          ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      raw.asFloatBuffer().put(values);
      out.writeBytes(9, ByteString.copyFrom(raw.array()));
    }
    out.flush();
    return bytes.toByteArray();
  }
}
