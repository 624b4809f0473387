package dev.narrowbert.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Scores checked against counts worked out by hand, the way conlleval counts them. */
class EntitySpanScorerTest {

  @Test
  void countsOnlyExactSpanAndTypeMatches() {
    EntitySpanScorer scorer = new EntitySpanScorer();
    // Gold: PER [0,2), LOC [3,4), ORG [5,7)
    // Predicted: PER [0,2) correct; LOC [3,4) typed MISC (wrong type); ORG [5,6) (partial span).
    scorer.add(
        List.of("B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG"),
        List.of("B-PER", "I-PER", "O", "B-MISC", "O", "B-ORG", "O"));
    // Second sentence: gold LOC [1,2) missed, spurious PER [0,1).
    scorer.add(List.of("O", "B-LOC"), List.of("B-PER", "O"));

    // 1 correct of 4 predicted, of 4 gold.
    F1 overall = scorer.overall();
    assertThat(overall.precision()).isCloseTo(0.25, within(1e-12));
    assertThat(overall.recall()).isCloseTo(0.25, within(1e-12));
    assertThat(overall.f1()).isCloseTo(0.25, within(1e-12));
    assertThat(scorer.perType().get("PER").precision()).isCloseTo(0.5, within(1e-12));
    assertThat(scorer.perType().get("PER").recall()).isCloseTo(1.0, within(1e-12));
    assertThat(scorer.perType().get("PER").f1()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(scorer.perType().get("LOC").recall()).isZero();
    assertThat(scorer.perType().get("ORG").f1()).isZero();
    assertThat(scorer.perType().get("MISC").precision()).isZero();
    assertThat(scorer.sentences()).isEqualTo(2);
    assertThat(scorer.tokenAccuracy()).isCloseTo(5 / 9.0, within(1e-12));
  }

  @Test
  void mergingAdjacentEntitiesScoresNeitherOfThem() {
    EntitySpanScorer scorer = new EntitySpanScorer();
    // Gold: ORG [0,3), PER [4,5). Predicted: both right, plus a spurious LOC [6,7).
    scorer.add(
        List.of("B-ORG", "I-ORG", "I-ORG", "O", "B-PER", "O", "O"),
        List.of("B-ORG", "I-ORG", "I-ORG", "O", "B-PER", "O", "B-LOC"));
    // Gold: adjacent MISC [0,1) and [1,2) (B B). Predicted: one merged MISC [0,2) (B I).
    scorer.add(List.of("B-MISC", "B-MISC"), List.of("B-MISC", "I-MISC"));

    // correct 2 (ORG, PER); predicted 4 (ORG, PER, LOC, MISC); gold 4 (ORG, PER, MISC, MISC).
    assertThat(scorer.overall().precision()).isCloseTo(0.5, within(1e-12));
    assertThat(scorer.overall().recall()).isCloseTo(0.5, within(1e-12));
    assertThat(scorer.perType().get("MISC").recall()).isZero();
  }

  @Test
  void spuriousEntitiesLowerPrecisionOnly() {
    EntitySpanScorer scorer = new EntitySpanScorer();
    // Gold: one PER; predicted: that PER plus two spurious LOCs. P = 1/3, R = 1, F1 = 0.5.
    scorer.add(List.of("B-PER", "O", "O"), List.of("B-PER", "B-LOC", "B-LOC"));

    assertThat(scorer.overall().precision()).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(scorer.overall().recall()).isCloseTo(1.0, within(1e-12));
    assertThat(scorer.overall().f1()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void readsChunksWithConllevalRules() {
    // I- after O starts a chunk; a type change inside I- tags splits the chunk.
    assertThat(EntitySpanScorer.spans(List.of("O", "I-PER", "I-PER", "I-LOC", "B-LOC", "I-LOC")))
        .containsExactlyInAnyOrder(
            new EntitySpanScorer.Span(1, 3, "PER"),
            new EntitySpanScorer.Span(3, 4, "LOC"),
            new EntitySpanScorer.Span(4, 6, "LOC"));
  }
}
