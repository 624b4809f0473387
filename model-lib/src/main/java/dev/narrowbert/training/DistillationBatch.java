package dev.narrowbert.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.util.List;

/**
 * Blocks and their chosen {@link DistillationQueries} as tensors, the same for teacher and student.
 * Padding (the [PAD] id) is masked out of attention, so blocks of unequal content may be batched.
 *
 * @param inputs the real ids (B, L), nothing masked or replaced
 * @param queries the chosen positions (B, M) and their mask (0 in padding slots)
 * @param tokens B * L, for throughput
 */
public record DistillationBatch(ModelInputs inputs, QueryPositions queries, int tokens) {

  /**
   * @param blocks B blocks of equal length L
   * @param positions each block's chosen positions
   */
  public static DistillationBatch of(
      NDManager manager, List<int[]> blocks, List<int[]> positions, WordPieceVocabulary vocab) {
    int batch = blocks.size();
    int length = blocks.get(0).length;
    long[] ids = new long[batch * length];
    long[] attention = new long[batch * length];
    for (int b = 0; b < batch; b++) {
      int[] block = blocks.get(b);
      for (int t = 0; t < length; t++) {
        ids[b * length + t] = block[t];
        attention[b * length + t] = block[t] == vocab.padId() ? 0 : 1;
      }
    }
    Shape shape = new Shape(batch, length);
    ModelInputs inputs =
        new ModelInputs(
            manager.create(ids, shape),
            manager.zeros(shape, DataType.INT64),
            manager.create(attention, shape));
    return new DistillationBatch(inputs, QueryPositions.of(manager, positions), batch * length);
  }
}
