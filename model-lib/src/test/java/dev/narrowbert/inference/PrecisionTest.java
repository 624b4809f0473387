package dev.narrowbert.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrecisionTest {
  private static final List<String> REVIEWS =
      List.of("tom hanks was great in paris", "the plot was boring and the acting was terrible");

  @TempDir Path temp;

  @Test
  void halfPrecisionGivesNearlyTheFloat32Results() throws Exception {
    Path dir = TinyModelDirectory.create(temp.resolve("model"));
    List<Analysis> full;
    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(dir, "cpu", Precision.FP32)) {
      full = analyzer.analyze(REVIEWS);
    }
    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(dir, "cpu", Precision.FP16)) {
      List<Analysis> half = analyzer.analyze(REVIEWS);
      for (int i = 0; i < REVIEWS.size(); i++) {
        assertThat(half.get(i).embedding())
            .as("fp16 embedding of review %d", i)
            .containsExactly(full.get(i).embedding(), within(0.05f));
        assertThat(half.get(i).sentimentProbabilities().get("positive"))
            .isCloseTo(full.get(i).sentimentProbabilities().get("positive"), within(0.02f));
        assertThat(half.get(i).tokenCount()).isEqualTo(full.get(i).tokenCount());
      }
    }
  }

  @Test
  void parsesNamesAndRejectsOthersNamingTheChoices() {
    assertThat(Precision.parse("fp16")).isEqualTo(Precision.FP16);
    assertThat(Precision.parse(" FP32 ")).isEqualTo(Precision.FP32);
    assertThatThrownBy(() -> Precision.parse("int8"))
        .hasMessage("unknown precision 'int8' (expected fp32 or fp16)");
    assertThatThrownBy(() -> Precision.parse("BF16")).hasMessageContaining("use fp16");
  }
}
