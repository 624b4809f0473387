package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.Entity;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnalyzeReviewsTest {
  private OneInputStreamOperatorTestHarness<ReviewBatch, ReviewAnalysis> harness;
  private ReviewTokenizer tokenizer;

  @BeforeEach
  void open() throws Exception {
    harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new AnalyzeReviews(TestModels.tiny(), "cpu", Precision.FP32, true, 1));
    tokenizer = ModelDirectory.readTokenizer(TestModels.tiny());
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private PendingReview pending(String id, String text) {
    return new PendingReview(Reviews.valid(id, text), tokenizer.encode(text), 0);
  }

  private static ReviewBatch batch(PendingReview... reviews) {
    int longest = 0;
    int tokens = 0;
    for (PendingReview review : reviews) {
      longest = Math.max(longest, review.tokens());
      tokens += review.tokens();
    }
    return new ReviewBatch(reviews, longest, tokens);
  }

  @Test
  void emitsOneAnalysisPerReviewWithSpansIntoTheOriginalText() throws Exception {
    String text = "Emma Stone was great in Paris.<br />Loved it!";
    harness.processElement(new StreamRecord<>(batch(pending("a", text), pending("b", "meh"))));

    List<ReviewAnalysis> results = harness.extractOutputValues();
    assertThat(results).extracting(ReviewAnalysis::getReviewId).containsExactly("a", "b");
    ReviewAnalysis first = results.get(0);
    assertThat(first.getEmbedding()).hasSize(64);
    assertThat(first.getTokens()).isEqualTo(tokenizer.encode(text).tokenCount());
    assertThat(first.getModelVersion()).isNotBlank();
    assertThat(first.getEventTime()).isEqualTo(Reviews.review("a", text).getEventTime());
    assertThat(first.getSentiment().getProbability()).isBetween(0f, 1f);
    for (Entity entity : first.getEntities()) {
      assertThat(text.substring(entity.getStart(), entity.getEnd())).isEqualTo(entity.getText());
    }
  }

  @Test
  void deadLettersOnlyTheReviewTheModelFailsOn() throws Exception {
    Encoding good = tokenizer.encode("a good film");
    int[] outOfVocabulary = good.ids().clone();
    outOfVocabulary[1] = 1_000_000; // no such token: the embedding lookup fails
    Encoding broken =
        new Encoding(
            good.text(), outOfVocabulary, good.starts(), good.ends(), good.wordIds(), false);
    PendingReview bad = new PendingReview(Reviews.valid("bad", "a good film"), broken, 0);

    harness.processElement(
        new StreamRecord<>(batch(pending("ok-1", "fine"), bad, pending("ok-2", "bad acting"))));

    assertThat(harness.extractOutputValues())
        .extracting(ReviewAnalysis::getReviewId)
        .containsExactly("ok-1", "ok-2");
    List<DeadLetter> deadLetters =
        harness.getSideOutput(AnalyzeReviews.DEAD_LETTERS).stream()
            .map(StreamRecord::getValue)
            .toList();
    assertThat(deadLetters)
        .singleElement()
        .satisfies(
            letter -> {
              assertThat(letter.getErrorType()).isEqualTo(ErrorType.MODEL_FAILURE);
              assertThat(letter.getReviewId()).isEqualTo("bad");
              assertThat(letter.getReason()).startsWith("model failed on this review");
            });
  }
}
