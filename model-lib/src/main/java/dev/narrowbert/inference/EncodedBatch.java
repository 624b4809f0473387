package dev.narrowbert.inference;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.tokenizer.Encoding;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokenised reviews as tensors, padded to the longest review in the batch (not to the model's
 * maximum), with the union of the query positions every inference head needs: slot 0 is [CLS] for
 * sentiment and embeddings, slots 1.. are the first sub-token of each word for NER.
 *
 * @param inputs ids, type ids and attention mask (B, L)
 * @param queries [CLS] + first sub-tokens per review (B, M)
 * @param firstSubTokens per review, the first sub-token positions in slot order 1..
 */
public record EncodedBatch(ModelInputs inputs, QueryPositions queries, List<int[]> firstSubTokens) {

  /** Query slot holding [CLS]. */
  public static final int CLS_SLOT = 0;

  /** Query slot of a review's first word; word w is at slot {@code FIRST_WORD_SLOT + w}. */
  public static final int FIRST_WORD_SLOT = 1;

  public static EncodedBatch of(NDManager manager, List<Encoding> encodings, int padId) {
    return of(manager, encodings, padId, true);
  }

  /**
   * @param wordQueries whether to query the first sub-token of every word (for NER); without them
   *     [CLS] is the only query and {@code firstSubTokens} are empty
   */
  public static EncodedBatch of(
      NDManager manager, List<Encoding> encodings, int padId, boolean wordQueries) {
    int batch = encodings.size();
    int length = encodings.stream().mapToInt(Encoding::tokenCount).max().orElse(2);
    long[] ids = new long[batch * length];
    long[] mask = new long[batch * length];
    java.util.Arrays.fill(ids, padId);
    List<int[]> queries = new ArrayList<>(batch);
    List<int[]> firstSubTokens = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      Encoding encoding = encodings.get(b);
      for (int t = 0; t < encoding.tokenCount(); t++) {
        ids[b * length + t] = encoding.ids()[t];
        mask[b * length + t] = 1;
      }
      int[] words = wordQueries ? encoding.firstSubTokenPositions() : new int[0];
      int[] union = new int[words.length + 1];
      union[CLS_SLOT] = 0;
      System.arraycopy(words, 0, union, FIRST_WORD_SLOT, words.length);
      queries.add(union);
      firstSubTokens.add(words);
    }
    Shape shape = new Shape(batch, length);
    ModelInputs inputs =
        new ModelInputs(
            manager.create(ids, shape),
            manager.zeros(shape, ai.djl.ndarray.types.DataType.INT64),
            manager.create(mask, shape));
    return new EncodedBatch(inputs, QueryPositions.of(manager, queries), firstSubTokens);
  }
}
