package dev.narrowbert.pretrained;

import java.util.Arrays;

/**
 * One float32 tensor of a pretrained checkpoint, in PyTorch's layout: a Linear weight is (out, in),
 * as in Hugging Face {@code modeling_bert.py} and as DJL's {@code Linear} stores it.
 *
 * @param name the Hugging Face parameter name, e.g. {@code
 *     encoder.layer.3.attention.self.query.bias}
 * @param shape dimensions, outermost first
 * @param values row-major values
 */
public record PretrainedTensor(String name, long[] shape, float[] values) {

  public PretrainedTensor {
    shape = shape.clone();
    long size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (size != values.length) {
      throw new IllegalArgumentException(
          "tensor " + name + " has " + values.length + " values for shape " + describe(shape));
    }
  }

  /** The (in, out) matrix of an exported MatMul as the (out, in) weight of a Linear layer. */
  public PretrainedTensor transposed(String newName) {
    if (shape.length != 2) {
      throw new IllegalArgumentException(
          "tensor " + name + " has shape " + describe(shape) + ", not a matrix");
    }
    int rows = (int) shape[0];
    int cols = (int) shape[1];
    float[] out = new float[values.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = values[r * cols + c];
      }
    }
    return new PretrainedTensor(newName, new long[] {cols, rows}, out);
  }

  /** The first {@code rows} rows (e.g. fewer learned positions than the source has). */
  public PretrainedTensor firstRows(int rows) {
    int width = (int) (values.length / shape[0]);
    long[] newShape = shape.clone();
    newShape[0] = rows;
    return new PretrainedTensor(name, newShape, Arrays.copyOf(values, rows * width));
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public static String describe(long[] shape) {
    return Arrays.toString(shape).replace('[', '(').replace(']', ')');
  }
}
