package dev.narrowbert.inference;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.narrowbert.model.WeightCast;
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

  /** Converts every weight of {@code block} to this precision, in place. */
  public void castWeights(Block block, NDManager manager) {
    WeightCast.cast(block, dataType, manager);
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
