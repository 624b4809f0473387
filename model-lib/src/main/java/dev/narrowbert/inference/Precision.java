package dev.narrowbert.inference;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The number format of a model's weights and activations at inference. Half precision halves memory
 * traffic; on GPUs (tensor cores) it is also several times faster. Outputs are returned as float32
 * whatever the precision.
 *
 * <p>No bf16: DJL 0.35.1 cannot encode a bfloat16 array (the conversion below aborts the JVM in
 * native code), so it is refused by name in {@link #parse} rather than offered.
 */
public enum Precision {
  FP32(DataType.FLOAT32),
  FP16(DataType.FLOAT16);

  private final DataType dataType;

  Precision(DataType dataType) {
    this.dataType = dataType;
  }

  public DataType dataType() {
    return dataType;
  }

  /**
   * Converts every weight of {@code block} to this precision, in place.
   *
   * <p>DJL 0.35's {@code Block.cast} is not implemented and {@code Parameter.setArray} refuses an
   * initialised parameter, but {@code Parameter.load} replaces the array with whatever it decodes:
   * each weight is converted, encoded in the parameter file format and loaded back.
   */
  public void castWeights(Block block, NDManager manager) {
    for (Parameter parameter : block.getParameters().values()) {
      NDArray weights = parameter.getArray();
      if (weights.getDataType() == dataType) {
        continue;
      }
      try (NDArray converted = weights.toType(dataType, false)) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeChar('P');
        out.writeByte(1);
        out.writeUTF(parameter.getName());
        out.write(converted.encode());
        parameter.load(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (MalformedModelException e) {
        throw new IllegalStateException("cannot convert " + parameter.getName() + ": " + e, e);
      }
      weights.close();
    }
  }

  /**
   * Parses {@code fp32} or {@code fp16}.
   *
   * @throws IllegalArgumentException naming the choices
   */
  public static Precision parse(String name) {
    if (name != null && name.strip().equalsIgnoreCase("bf16")) {
      throw new IllegalArgumentException(
          "precision bf16 is not supported: DJL 0.35.1 cannot convert weights to bfloat16; use fp16");
    }
    try {
      return valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "unknown precision '" + name + "' (expected fp32 or fp16)");
    }
  }
}
