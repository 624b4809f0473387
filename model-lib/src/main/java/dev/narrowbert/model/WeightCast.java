package dev.narrowbert.model;

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

/**
 * Converts every weight of a block to another number format, in place: fp16 weights on disk are
 * widened to fp32 when a model is loaded, and fp16 inference narrows them.
 *
 * <p>DJL 0.35's {@code Block.cast} is not implemented and {@code Parameter.setArray} refuses an
 * initialised parameter, but {@code Parameter.load} replaces the array with whatever it decodes:
 * each weight is converted, encoded in the parameter file format and loaded back.
 */
public final class WeightCast {

  private WeightCast() {}

  public static void cast(Block block, DataType dataType, NDManager manager) {
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
}
