package dev.narrowbert.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.narrowbert.model.Pooling;
import dev.narrowbert.tokenizer.Encoding;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewAnalyzerTest {

  @TempDir Path temp;

  @Test
  void givesTheSameResultAloneAndInABatchWithLongerReviews() throws Exception {
    Path dir = TinyModelDirectory.create(temp.resolve("model"));
    String review = "great movie !";
    List<String> batch =
        List.of(
            "the plot was boring and the acting was terrible , but the music was fun",
            review,
            "i loved it");

    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(dir, "cpu")) {
      Analysis alone = analyzer.analyze(List.of(review)).get(0);
      Analysis batched = analyzer.analyze(batch).get(1);

      assertThat(batched.embedding()).containsExactly(alone.embedding(), within(1e-5f));
      assertThat(batched.sentimentProbabilities().get("positive"))
          .isCloseTo(alone.sentimentProbabilities().get("positive"), within(1e-5f));
      assertThat(batched.entities()).isEqualTo(alone.entities());
    }
  }

  @Test
  void computesOnlyTheAskedPartsWithTheSameValues() throws Exception {
    Path dir = TinyModelDirectory.create(temp.resolve("model"));
    List<String> texts =
        List.of("tom hanks was great in paris", "boring", "the music was fun but the end was bad");

    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(dir, "cpu")) {
      List<Encoding> encodings = texts.stream().map(analyzer::encode).toList();
      List<Analysis> full = analyzer.analyzeEncoded(encodings);
      List<Analysis> sentimentOnly =
          analyzer.analyzeEncoded(encodings, EnumSet.of(AnalysisPart.SENTIMENT));
      List<Analysis> entitiesOnly =
          analyzer.analyzeEncoded(encodings, EnumSet.of(AnalysisPart.ENTITIES));
      List<Analysis> embeddingOnly =
          analyzer.analyzeEncoded(encodings, EnumSet.of(AnalysisPart.EMBEDDING));

      for (int i = 0; i < texts.size(); i++) {
        // Only the [CLS] query: the narrow layers see the same keys and values, so [CLS] agrees.
        assertThat(sentimentOnly.get(i).sentiment()).isEqualTo(full.get(i).sentiment());
        assertThat(sentimentOnly.get(i).sentimentProbabilities().get("positive"))
            .isCloseTo(full.get(i).sentimentProbabilities().get("positive"), within(1e-5f));
        assertThat(sentimentOnly.get(i).entities()).isEmpty();
        assertThat(sentimentOnly.get(i).embedding()).isEmpty();
        assertThat(entitiesOnly.get(i).entities()).isEqualTo(full.get(i).entities());
        assertThat(entitiesOnly.get(i).sentiment()).isNull();
        assertThat(entitiesOnly.get(i).sentimentProbabilities()).isEmpty();
        assertThat(embeddingOnly.get(i).embedding())
            .containsExactly(full.get(i).embedding(), within(1e-5f));
        assertThat(embeddingOnly.get(i).tokenCount()).isEqualTo(full.get(i).tokenCount());
      }
    }
  }

  @Test
  void reportsSentimentEmbeddingAndTokenCounts() throws Exception {
    Path dir = TinyModelDirectory.create(temp.resolve("model"));

    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(dir, "auto")) {
      List<Analysis> results =
          analyzer.analyze(
              List.of("tom hanks was great", "", "a very very very very very very very long end"));

      assertThat(results).hasSize(3);
      Analysis first = results.get(0);
      assertThat(first.sentiment()).isIn("negative", "positive");
      float total = first.sentimentProbabilities().values().stream().reduce(0f, Float::sum);
      assertThat(total).isCloseTo(1f, within(1e-5f));
      assertThat(first.embedding()).hasSize(36);
      assertThat(first.tokenCount()).isEqualTo(6);
      assertThat(results.get(1).tokenCount()).isEqualTo(2);
      assertThat(results.get(2).truncated()).isFalse();
    }
  }

  @Test
  void truncatesToMaxPositionsAndSaysSo() throws Exception {
    Path dir = TinyModelDirectory.create(temp.resolve("model"));

    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(dir, "cpu")) {
      Analysis result = analyzer.analyze(List.of("fun ".repeat(40))).get(0);

      assertThat(result.tokenCount()).isEqualTo(16);
      assertThat(result.truncated()).isTrue();
    }
  }

  @Test
  void entitySpansPointIntoTheOriginalText() throws Exception {
    Path dir = TinyModelDirectory.create(temp.resolve("model"));
    String text = "Tom<br />Hanks directed it in Paris, London and loved fun";

    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(dir, "cpu")) {
      for (Entity entity : analyzer.analyze(List.of(text)).get(0).entities()) {
        assertThat(text.substring(entity.start(), entity.end())).isEqualTo(entity.text());
        assertThat(entity.text()).doesNotStartWith(" ").doesNotEndWith(" ");
      }
    }
  }

  @Test
  void meanPoolingEmbedsOverTheFullLengthStates() throws Exception {
    Path cls = TinyModelDirectory.create(temp.resolve("cls"));
    Path mean =
        TinyModelDirectory.create(
            temp.resolve("mean"), TinyModelDirectory.config().withPooling(Pooling.MEAN));

    try (ReviewAnalyzer byCls = ReviewAnalyzer.open(cls, "cpu");
        ReviewAnalyzer byMean = ReviewAnalyzer.open(mean, "cpu")) {
      float[] clsEmbedding = byCls.analyze(List.of("good film")).get(0).embedding();
      float[] meanEmbedding = byMean.analyze(List.of("good film")).get(0).embedding();

      assertThat(meanEmbedding).hasSize(36).isNotEqualTo(clsEmbedding);
    }
  }

  @Test
  void doesNotGrowNativeMemoryOverAThousandCalls() throws Exception {
    Path dir = TinyModelDirectory.create(temp.resolve("model"));

    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(dir, "cpu")) {
      List<String> texts = List.of("great film", "the acting was bad but the music was fun");
      analyzer.analyze(texts);
      int before = analyzer.manager().getManagedArrays().size();

      for (int i = 0; i < 1000; i++) {
        analyzer.analyze(texts);
      }

      assertThat(analyzer.manager().getManagedArrays()).hasSize(before);
    }
  }

  @Test
  void failsClearlyWhenAGpuIsRequestedButAbsent() {
    assertThatThrownBy(() -> DeviceOption.resolve("gpu:7"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpu:7");
    assertThatThrownBy(() -> DeviceOption.resolve("tpu"))
        .hasMessageContaining("expected auto, cpu, gpu or gpu:N");
  }

  private static org.assertj.core.data.Offset<Float> within(float tolerance) {
    return org.assertj.core.data.Offset.offset(tolerance);
  }
}
