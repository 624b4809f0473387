package dev.narrowbert.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** {@link AnalysisDecoder}: the analysis reads entities from the most probable valid BIO tags. */
class AnalysisDecoderTest {

  @Test
  void aNameWhoseSecondWordLeansToAnotherTypeStaysOneEntity() {
    NarrowBertConfig config = TinyModelDirectory.config();
    List<String> labels = config.entityLabels();
    WordPieceTokenizer tokenizer = new WordPieceTokenizer(TinyModelDirectory.vocabulary(), 16);
    Encoding encoding = tokenizer.encode("Meryl Streep in Paris");
    // Per word slot (slot 0 is [CLS]): "streep" alone would be I-ORG, which after B-PER reads as a
    // second entity; as a sequence, B-PER I-PER (0.6 x 0.4) beats B-ORG I-ORG (0.3 x 0.5).
    float[][] words = {
      probabilities(labels, "B-PER", 0.6f, "B-ORG", 0.3f),
      probabilities(labels, "I-ORG", 0.5f, "I-PER", 0.4f),
      probabilities(labels, "O", 0.9f, "B-LOC", 0.05f),
      probabilities(labels, "B-LOC", 0.8f, "O", 0.1f)
    };
    float[] flat = new float[(1 + words.length) * labels.size()];
    for (int w = 0; w < words.length; w++) {
      System.arraycopy(words[w], 0, flat, (1 + w) * labels.size(), labels.size());
    }

    try (NDManager manager = NDManager.newBaseManager()) {
      EncodedBatch batch =
          EncodedBatch.of(manager, List.of(encoding), TinyModelDirectory.vocabulary().padId());
      List<Analysis> analyses =
          new AnalysisDecoder(config)
              .decode(
                  List.of(encoding),
                  batch,
                  WordSlots.ungated(batch.firstSubTokens()),
                  null,
                  manager.create(flat, new Shape(1, 1 + words.length, labels.size())),
                  null);

      assertThat(analyses.get(0).entities())
          .extracting(Entity::type, Entity::text)
          .containsExactly(Tuple.tuple("PER", "Meryl Streep"), Tuple.tuple("LOC", "Paris"));
      assertThat(analyses.get(0).entities().get(0).score()).isCloseTo(0.5f, within());
    }
  }

  private static org.assertj.core.data.Offset<Float> within() {
    return org.assertj.core.data.Offset.offset(1e-6f);
  }

  /** Two tags with the given probabilities; the rest share what is left. */
  private static float[] probabilities(
      List<String> labels, String first, float p, String second, float q) {
    float[] row = new float[labels.size()];
    java.util.Arrays.fill(row, (1 - p - q) / (labels.size() - 2));
    row[labels.indexOf(first)] = p;
    row[labels.indexOf(second)] = q;
    return row;
  }
}
