package dev.narrowbert.training;

/**
 * Fixed-length pretraining blocks cut from a {@link TokenizedCorpus}: block i is {@code [CLS]}, the
 * next L-2 ids of the stream (documents separated by [SEP], crossing document boundaries), and
 * {@code [SEP]}. No padding is ever needed. The last {@code heldOut} blocks are kept for the
 * held-out evaluation (masked-LM or distillation) and never trained on.
 */
public final class PackedBlocks implements TrainingBlocks {

  private final int[] stream;
  private final int length;
  private final int cls;
  private final int sep;
  private final int trainingBlocks;
  private final int heldOutBlocks;

  /**
   * @param length L, tokens per block including [CLS] and [SEP]
   * @param heldOut blocks reserved for evaluation (fewer if the corpus is tiny)
   */
  public PackedBlocks(int[] stream, int length, int cls, int sep, int heldOut) {
    if (length < 3) {
      throw new IllegalArgumentException("block length must be >= 3, was " + length);
    }
    this.stream = stream;
    this.length = length;
    this.cls = cls;
    this.sep = sep;
    int total = stream.length / (length - 2);
    if (total < 2) {
      throw new IllegalArgumentException(
          "corpus has " + stream.length + " tokens, too few for two blocks of " + length);
    }
    this.heldOutBlocks = Math.min(heldOut, total / 2);
    this.trainingBlocks = total - heldOutBlocks;
  }

  public int length() {
    return length;
  }

  @Override
  public int trainingBlocks() {
    return trainingBlocks;
  }

  @Override
  public int heldOutBlocks() {
    return heldOutBlocks;
  }

  @Override
  public int[] block(int index) {
    int[] ids = new int[length];
    ids[0] = cls;
    System.arraycopy(stream, index * (length - 2), ids, 1, length - 2);
    ids[length - 1] = sep;
    return ids;
  }
}
