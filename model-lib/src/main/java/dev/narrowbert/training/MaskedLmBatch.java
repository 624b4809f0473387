package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.QueryPositions;
import java.util.List;

/**
 * Masked blocks as tensors. The selected positions are the queries ({@link QueryPositions#of} packs
 * them per block and pads with mask 0), so a NarrowBERT encoder and the MLM head compute only the
 * ~15% of positions that have a label.
 *
 * @param inputs corrupted ids (B, L), no padding
 * @param queries selected positions (B, M) and their mask
 * @param labels original ids at the selected positions (B, M), 0 in padding slots
 * @param tokens B * L, for throughput
 */
public record MaskedLmBatch(
    ModelInputs inputs, QueryPositions queries, NDArray labels, int tokens) {

  public static MaskedLmBatch of(NDManager manager, List<MlmMasking.Masked> blocks) {
    int batch = blocks.size();
    int length = blocks.get(0).ids().length;
    long[] ids = new long[batch * length];
    int width = Math.max(1, blocks.stream().mapToInt(b -> b.positions().length).max().orElse(1));
    long[] labels = new long[batch * width];
    for (int b = 0; b < batch; b++) {
      MlmMasking.Masked block = blocks.get(b);
      for (int t = 0; t < length; t++) {
        ids[b * length + t] = block.ids()[t];
      }
      for (int m = 0; m < block.labels().length; m++) {
        labels[b * width + m] = block.labels()[m];
      }
    }
    Shape shape = new Shape(batch, length);
    ModelInputs inputs =
        new ModelInputs(
            manager.create(ids, shape),
            manager.zeros(shape, DataType.INT64),
            manager.ones(shape, DataType.INT64));
    QueryPositions queries =
        QueryPositions.of(manager, blocks.stream().map(MlmMasking.Masked::positions).toList());
    return new MaskedLmBatch(
        inputs, queries, manager.create(labels, new Shape(batch, width)), batch * length);
  }
}
