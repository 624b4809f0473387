package dev.narrowbert.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link TagDecoding}: each word alone, or the most probable valid BIO sequence. */
class TagDecodingTest {

  private static final List<String> LABELS =
      List.of("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC");

  @Test
  void argmaxTakesEachWordsMostProbableTagAndAWordNotQueriedIsOutside() {
    float[][] rows = {row("I-PER", 0.6f, "B-PER", 0.3f), null, row("B-LOC", 0.5f, "O", 0.4f)};

    assertThat(tags(TagDecoding.ARGMAX.decode(LABELS, rows)))
        .containsExactly("I-PER", "O", "B-LOC");
  }

  @Test
  void bioNeverStartsAnEntityWithAnInsideTag() {
    float[][] rows = {row("O", 0.9f, "B-PER", 0.05f), row("I-PER", 0.6f, "B-PER", 0.3f)};

    assertThat(tags(TagDecoding.ARGMAX.decode(LABELS, rows))).containsExactly("O", "I-PER");
    assertThat(tags(TagDecoding.BIO.decode(LABELS, rows))).containsExactly("O", "B-PER");
  }

  @Test
  void bioChoosesTheMostProbableWholeSequenceOverAMixedTypeSpan() {
    // Argmax says B-ORG I-LOC (one ORG and one LOC entity when read); as a valid sequence B-LOC
    // I-LOC (0.4 x 0.7 = 0.28) beats B-ORG I-ORG (0.6 x 0.3 = 0.18).
    float[][] rows = {row("B-ORG", 0.6f, "B-LOC", 0.4f), row("I-LOC", 0.7f, "I-ORG", 0.3f)};

    assertThat(tags(TagDecoding.ARGMAX.decode(LABELS, rows))).containsExactly("B-ORG", "I-LOC");
    assertThat(tags(TagDecoding.BIO.decode(LABELS, rows))).containsExactly("B-LOC", "I-LOC");
  }

  @Test
  void aWordNotQueriedIsOutsideAndBreaksTheSpan() {
    float[][] rows = {row("B-PER", 0.9f, "O", 0.1f), null, row("I-PER", 0.9f, "B-PER", 0.05f)};

    assertThat(tags(TagDecoding.BIO.decode(LABELS, rows))).containsExactly("B-PER", "O", "B-PER");
  }

  @Test
  void bioFindsTheBestValidSequenceThatExhaustiveSearchFinds() {
    Random random = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      int words = 1 + random.nextInt(4);
      float[][] rows = new float[words][];
      for (int w = 0; w < words; w++) {
        rows[w] = random.nextInt(6) == 0 ? null : randomDistribution(random);
      }

      int[] decoded = TagDecoding.BIO.decode(LABELS, rows);

      assertThat(valid(decoded, rows)).isTrue();
      assertThat(logProbability(decoded, rows)).isCloseTo(bestByExhaustiveSearch(rows), within());
    }
  }

  @Test
  void unknownDecodingNamesTheChoices() {
    assertThat(TagDecoding.fromJson("bio")).isEqualTo(TagDecoding.BIO);
    assertThatThrownBy(() -> TagDecoding.fromJson("crf"))
        .hasMessage("tag-decoding must be argmax or bio, was crf");
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  private static double bestByExhaustiveSearch(float[][] rows) {
    int words = rows.length;
    int[] sequence = new int[words];
    double best = Double.NEGATIVE_INFINITY;
    for (int code = 0; code < Math.pow(LABELS.size(), words); code++) {
      int rest = code;
      for (int w = 0; w < words; w++) {
        sequence[w] = rest % LABELS.size();
        rest /= LABELS.size();
      }
      if (valid(sequence, rows)) {
        best = Math.max(best, logProbability(sequence, rows));
      }
    }
    return best;
  }

  /** IOB2, and O wherever a word was not queried. */
  private static boolean valid(int[] sequence, float[][] rows) {
    for (int w = 0; w < sequence.length; w++) {
      String tag = LABELS.get(sequence[w]);
      if (rows[w] == null && !tag.equals("O")) {
        return false;
      }
      if (tag.startsWith("I-")) {
        String previous = w == 0 ? "O" : LABELS.get(sequence[w - 1]);
        if (previous.equals("O") || !previous.substring(2).equals(tag.substring(2))) {
          return false;
        }
      }
    }
    return true;
  }

  private static double logProbability(int[] sequence, float[][] rows) {
    double sum = 0;
    for (int w = 0; w < sequence.length; w++) {
      sum += rows[w] == null ? 0 : Math.log(Math.max(rows[w][sequence[w]], 1e-30));
    }
    return sum;
  }

  private static float[] randomDistribution(Random random) {
    float[] row = new float[LABELS.size()];
    float sum = 0;
    for (int t = 0; t < row.length; t++) {
      row[t] = random.nextFloat() * random.nextFloat();
      sum += row[t];
    }
    for (int t = 0; t < row.length; t++) {
      row[t] /= sum;
    }
    return row;
  }

  /** Two tags with the given probabilities; the rest share what is left. */
  private static float[] row(String first, float p, String second, float q) {
    float[] row = new float[LABELS.size()];
    java.util.Arrays.fill(row, (1 - p - q) / (LABELS.size() - 2));
    row[LABELS.indexOf(first)] = p;
    row[LABELS.indexOf(second)] = q;
    return row;
  }

  private static List<String> tags(int[] ids) {
    return java.util.Arrays.stream(ids).mapToObj(LABELS::get).toList();
  }
}
