package dev.narrowbert.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.bench.FlopCount.Head;
import dev.narrowbert.model.NarrowBertConfig;
import org.junit.jupiter.api.Test;

class FlopCountTest {

  // d = 4, F = 8, V = 10, L = 8, M = 2; the sums below are worked out by hand from the Javadoc.
  private static final NarrowBertConfig NARROW = NarrowBertConfig.of(10, "x", 4, 2, 8, "sf:sf", 16);

  @Test
  void countsFullAndNarrowSublayersAndTheMaskedLmHead() {
    double fullAttention = 8 * 8 * 16 + 4 * 64 * 4; // 2048
    double fullFeedForward = 4 * 8 * 4 * 8; // 1024
    double narrowAttention = 4 * 8 * 16 + 4 * 2 * 16 + 4 * 2 * 8 * 4; // 896
    double narrowFeedForward = 4 * 2 * 4 * 8; // 256
    double mlmHead = 2 * 2 * 16 + 2 * 2 * 4 * 10; // 224

    assertThat(FlopCount.forward(NARROW, 8, 2, Head.MASKED_LM))
        .isEqualTo(fullAttention + fullFeedForward + narrowAttention + narrowFeedForward + mlmHead);
    assertThat(FlopCount.forward(NARROW.withLayerStack("sfsf"), 8, 2, Head.MASKED_LM))
        .isEqualTo(2 * (fullAttention + fullFeedForward) + mlmHead);
  }

  @Test
  void sentimentHeadCostsThePoolerAndClassifierOnce() {
    double encoder = FlopCount.forward(NARROW, 8, 1, Head.MASKED_LM) - (2 * 16 + 2 * 4 * 10);
    assertThat(FlopCount.forward(NARROW, 8, 1, Head.SENTIMENT))
        .isEqualTo(encoder + 2 * 16 + 2 * 4 * 2);
  }

  @Test
  void paperShapeAllowsOverThreeTimesTheInferenceOfBert() {
    NarrowBertConfig base = NarrowBertConfig.preset("base", 30522, "x");
    double bert = FlopCount.forward(base.withLayerStack("sf".repeat(12)), 512, 1, Head.SENTIMENT);
    double narrow = FlopCount.forward(base, 512, 1, Head.SENTIMENT);
    assertThat(bert / narrow).isBetween(3.0, 4.5);
  }
}
