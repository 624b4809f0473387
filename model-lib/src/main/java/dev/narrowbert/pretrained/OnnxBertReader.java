package dev.narrowbert.pretrained;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the weights of a BERT encoder exported to ONNX (as the langchain4j embedding jars ship
 * them) and gives them their Hugging Face names.
 *
 * <p>An ONNX file is one protobuf {@code ModelProto} (onnx/onnx.proto). Only a few fields are
 * needed, so this reads the wire format with protobuf-java's {@link CodedInputStream} instead of
 * generating classes from onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, .initializer = 5;
 * NodeProto.input = 1, .output = 2, .op_type = 4; TensorProto.dims = 1, .data_type = 2, .float_data
 * = 4, .name = 8, .raw_data = 9, .data_location = 14.
 *
 * <p>Biases, LayerNorms and embeddings keep their Hugging Face names in the export. Every Linear
 * weight was renamed ({@code onnx::MatMul_N}) and stored transposed, (in, out). Each is found by
 * the graph: it is input 1 of a MatMul whose output feeds an Add whose other input is the named
 * bias, so the weight is that bias's name with {@code .weight}, transposed back to (out, in).
 */
public final class OnnxBertReader {

  private static final int FLOAT = 1;
  private static final int EXTERNAL = 1;

  private OnnxBertReader() {}

  private record Node(String opType, List<String> inputs, List<String> outputs) {}

  private record RawTensor(String name, long[] dims, int dataType, byte[] raw, float[] floats) {}

  /**
   * All float tensors of the graph under their Hugging Face names (a leading {@code bert.} is
   * dropped), Linear weights found and transposed as the class comment says.
   *
   * @throws IOException with a one-line reason if the bytes are not an ONNX model with a BERT graph
   */
  public static Map<String, PretrainedTensor> read(byte[] onnx, String source) throws IOException {
    List<Node> nodes = new ArrayList<>();
    Map<String, RawTensor> initializers = new LinkedHashMap<>();
    try {
      CodedInputStream model = CodedInputStream.newInstance(onnx);
      model.setSizeLimit(Integer.MAX_VALUE);
      boolean sawGraph = false;
      for (int tag; (tag = model.readTag()) != 0; ) {
        if (WireFormat.getTagFieldNumber(tag) == 7
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          readGraph(model.readBytes().newCodedInput(), nodes, initializers);
          sawGraph = true;
        } else {
          model.skipField(tag);
        }
      }
      if (!sawGraph) {
        throw new IOException(source + " is not an ONNX model (no graph)");
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IOException(source + " is not an ONNX model: " + e.getMessage(), e);
    }
    if (initializers.isEmpty()) {
      throw new IOException(source + " is an ONNX model without weights (no initializers)");
    }
    return name(nodes, initializers, source);
  }

  private static void readGraph(
      CodedInputStream graph, List<Node> nodes, Map<String, RawTensor> initializers)
      throws IOException {
    graph.setSizeLimit(Integer.MAX_VALUE);
    for (int tag; (tag = graph.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> nodes.add(readNode(graph.readBytes().newCodedInput()));
        case 5 -> {
          CodedInputStream tensor = graph.readBytes().newCodedInput();
          tensor.setSizeLimit(Integer.MAX_VALUE);
          RawTensor t = readTensor(tensor);
          initializers.put(t.name(), t);
        }
        default -> graph.skipField(tag);
      }
    }
  }

  private static Node readNode(CodedInputStream node) throws IOException {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String opType = "";
    for (int tag; (tag = node.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> inputs.add(node.readStringRequireUtf8());
        case 2 -> outputs.add(node.readStringRequireUtf8());
        case 4 -> opType = node.readStringRequireUtf8();
        default -> node.skipField(tag);
      }
    }
    return new Node(opType, inputs, outputs);
  }

  private static RawTensor readTensor(CodedInputStream tensor) throws IOException {
    List<Long> dims = new ArrayList<>();
    int dataType = 0;
    String name = "";
    byte[] raw = null;
    List<Float> floats = new ArrayList<>();
    int location = 0;
    for (int tag; (tag = tensor.readTag()) != 0; ) {
      int wire = WireFormat.getTagWireType(tag);
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> {
          if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = tensor.pushLimit(tensor.readRawVarint32());
            while (tensor.getBytesUntilLimit() > 0) {
              dims.add(tensor.readInt64());
            }
            tensor.popLimit(limit);
          } else {
            dims.add(tensor.readInt64());
          }
        }
        case 2 -> dataType = tensor.readInt32();
        case 4 -> {
          if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = tensor.pushLimit(tensor.readRawVarint32());
            while (tensor.getBytesUntilLimit() > 0) {
              floats.add(tensor.readFloat());
            }
            tensor.popLimit(limit);
          } else {
            floats.add(tensor.readFloat());
          }
        }
        case 8 -> name = tensor.readStringRequireUtf8();
        case 9 -> raw = tensor.readByteArray();
        case 14 -> location = tensor.readInt32();
        default -> tensor.skipField(tag);
      }
    }
    if (location == EXTERNAL) {
      throw new IOException(
          "tensor " + name + " keeps its data in an external file, which is not supported");
    }
    float[] values = new float[floats.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = floats.get(i);
    }
    return new RawTensor(
        name, dims.stream().mapToLong(Long::longValue).toArray(), dataType, raw, values);
  }

  private static Map<String, PretrainedTensor> name(
      List<Node> nodes, Map<String, RawTensor> initializers, String source) throws IOException {
    Map<String, Node> consumerOf = new HashMap<>();
    for (Node node : nodes) {
      for (String input : node.inputs()) {
        consumerOf.putIfAbsent(input, node);
      }
    }
    Map<String, PretrainedTensor> named = new LinkedHashMap<>();
    for (Node node : nodes) {
      if (!node.opType().equals("MatMul") || node.inputs().size() != 2) {
        continue;
      }
      RawTensor weight = initializers.get(node.inputs().get(1));
      Node add = consumerOf.get(node.outputs().get(0));
      if (weight == null || add == null || !add.opType().equals("Add")) {
        continue;
      }
      String bias =
          add.inputs().stream()
              .filter(input -> !input.equals(node.outputs().get(0)))
              .filter(input -> input.endsWith(".bias") && initializers.containsKey(input))
              .findFirst()
              .orElse(null);
      if (bias == null) {
        continue;
      }
      String hfName = hfName(bias.substring(0, bias.length() - ".bias".length()) + ".weight");
      named.put(hfName, floats(weight, source).transposed(hfName));
    }
    for (RawTensor tensor : initializers.values()) {
      if (tensor.dataType() == FLOAT && tensor.name().matches("(bert\\.)?[a-z_]+\\..*")) {
        named.putIfAbsent(hfName(tensor.name()), floats(tensor, source));
      }
    }
    if (named.keySet().stream().noneMatch(n -> n.startsWith("encoder.layer.0."))) {
      throw new IOException(
          source + " is an ONNX model but not a BERT encoder (no encoder.layer.0)");
    }
    return named;
  }

  private static String hfName(String name) {
    return name.startsWith("bert.") ? name.substring("bert.".length()) : name;
  }

  private static PretrainedTensor floats(RawTensor tensor, String source) throws IOException {
    if (tensor.dataType() != FLOAT) {
      throw new IOException(
          source
              + ": tensor "
              + tensor.name()
              + " has ONNX data type "
              + tensor.dataType()
              + ", only float32 (1) is supported");
    }
    float[] values = tensor.floats();
    if (tensor.raw() != null) {
      ByteBuffer bytes = ByteBuffer.wrap(tensor.raw()).order(ByteOrder.LITTLE_ENDIAN);
      values = new float[tensor.raw().length / Float.BYTES];
      bytes.asFloatBuffer().get(values);
    }
    try {
      return new PretrainedTensor(tensor.name(), tensor.dims(), values);
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": " + e.getMessage(), e);
    }
  }
}
