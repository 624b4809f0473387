package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;

/**
 * Deliberately odd tiny shapes (as HF's BERT tests): a swapped axis cannot pass by accident. Hidden
 * 36, 3 heads of 12, FF 37, vocab 53, sequence 7, batch 5.
 */
public final class TinyModels {

  static final int VOCAB = 53;
  static final int HIDDEN = 36;
  static final int HEADS = 3;
  static final int INTERMEDIATE = 37;
  static final int MAX_POSITIONS = 11;
  static final int BATCH = 5;
  static final int LENGTH = 7;

  private TinyModels() {}

  static NarrowBertConfig config(String stack) {
    return NarrowBertConfig.of(VOCAB, "", HIDDEN, HEADS, INTERMEDIATE, stack, MAX_POSITIONS);
  }

  public static NarrowBertModel model(NDManager manager, NarrowBertConfig config, int seed) {
    NarrowBertModel model = new NarrowBertModel(config);
    model.initializeWeights(manager, seed);
    return model;
  }

  /** Copies every parameter of {@code from} into {@code to} through the checkpoint format. */
  static void copyWeights(NarrowBertModel from, NarrowBertModel to, NDManager manager) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      from.saveParameters(new DataOutputStream(bytes));
      to.loadParameters(
          manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    } catch (IOException | ai.djl.MalformedModelException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A batch of random ids with per-example lengths; position 0 is [CLS]-like, the rest padding (id
   * 0) past each length.
   */
  public static ModelInputs inputs(NDManager manager, int[] lengths, int seed) {
    Random random = new Random(seed);
    int batch = lengths.length;
    int width = java.util.Arrays.stream(lengths).max().orElse(1);
    long[] ids = new long[batch * width];
    long[] mask = new long[batch * width];
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < lengths[b]; t++) {
        ids[b * width + t] = 1 + random.nextInt(VOCAB - 1);
        mask[b * width + t] = 1;
      }
    }
    Shape shape = new Shape(batch, width);
    return new ModelInputs(
        manager.create(ids, shape),
        manager.zeros(shape, DataType.INT64),
        manager.create(mask, shape));
  }

  static ModelInputs fullBatch(NDManager manager, int seed) {
    int[] lengths = new int[BATCH];
    java.util.Arrays.fill(lengths, LENGTH);
    lengths[1] = 4;
    lengths[3] = 6;
    return inputs(manager, lengths, seed);
  }

  static float maxAbsDifference(NDArray a, NDArray b) {
    return a.sub(b).abs().max().getFloat();
  }
}
