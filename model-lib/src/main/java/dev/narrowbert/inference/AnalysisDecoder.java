package dev.narrowbert.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.Encoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host side of {@link ReviewAnalyzer}: the heads' probabilities of one batch, copied off the
 * device once, turned into one {@link Analysis} per review (the most likely sentiment label, the
 * entities {@link BioDecoder} finds in the word tags that {@link TagDecoding#BIO} chooses, the
 * embedding).
 */
final class AnalysisDecoder {
  private final NarrowBertConfig config;
  private final BioDecoder bioDecoder;

  AnalysisDecoder(NarrowBertConfig config) {
    this.config = config;
    this.bioDecoder = new BioDecoder(config.entityLabels());
  }

  /** One {@link Analysis} per review from the head outputs; a null array is a part not asked. */
  List<Analysis> decode(
      List<Encoding> encodings,
      EncodedBatch batch,
      WordSlots wordSlots,
      NDArray sentimentProbs,
      NDArray tagProbs,
      NDArray embeddings) {
    int classes = config.sentimentLabels().size();
    int tags = config.entityLabels().size();
    int d = config.hiddenSize();
    float[] sentiment = floats(sentimentProbs);
    float[] tagProbabilities = floats(tagProbs);
    float[] embedding = floats(embeddings);
    int slots = tagProbs == null ? 0 : (int) tagProbs.getShape().get(1);
    List<Analysis> results = new ArrayList<>(encodings.size());
    for (int b = 0; b < encodings.size(); b++) {
      Encoding encoding = encodings.get(b);
      Map<String, Float> probabilities = new LinkedHashMap<>();
      String label = null;
      if (sentiment != null) {
        int best = 0;
        for (int c = 0; c < classes; c++) {
          probabilities.put(config.sentimentLabels().get(c), sentiment[b * classes + c]);
          best = sentiment[b * classes + c] > sentiment[b * classes + best] ? c : best;
        }
        label = config.sentimentLabels().get(best);
      }
      List<Entity> entities = List.of();
      if (tagProbabilities != null) {
        int[] words = batch.firstSubTokens().get(b);
        // Per word, its tag probabilities; null (O for certain) where the gate kept it out.
        float[][] rows = new float[words.length][];
        for (int w = 0; w < words.length; w++) {
          int slot = wordSlots.slot(b, w);
          if (slot >= 0) {
            int offset = (b * slots + slot) * tags;
            rows[w] = Arrays.copyOfRange(tagProbabilities, offset, offset + tags);
          }
        }
        int[] wordTags = TagDecoding.BIO.decode(config.entityLabels(), rows);
        float[] wordScores = new float[words.length];
        for (int w = 0; w < words.length; w++) {
          wordScores[w] = rows[w] == null ? 1 - wordSlots.gate(b, w) : rows[w][wordTags[w]];
        }
        entities = bioDecoder.decode(encoding, words, wordTags, wordScores);
      }
      results.add(
          new Analysis(
              label,
              probabilities,
              entities,
              embedding == null ? new float[0] : Arrays.copyOfRange(embedding, b * d, (b + 1) * d),
              encoding.tokenCount(),
              encoding.truncated()));
    }
    return results;
  }

  private static float[] floats(NDArray array) {
    return array == null ? null : array.toType(DataType.FLOAT32, false).toFloatArray();
  }
}
