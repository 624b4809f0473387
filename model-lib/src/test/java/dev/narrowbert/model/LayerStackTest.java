package dev.narrowbert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.narrowbert.model.LayerStack.Sublayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayerStackTest {

  @Test
  void parsesBertAsAllFullLength() {
    LayerStack bert = LayerStack.parse(LayerStack.bert(12));

    assertThat(bert.full()).hasSize(24);
    assertThat(bert.isNarrow()).isFalse();
  }

  @Test
  void parsesSparseQueriesWithTwoFullLayers() {
    LayerStack stack = LayerStack.parse(LayerStack.sparseQueries(12, 2));

    assertThat(stack.notation()).isEqualTo("sfsf:" + "sf".repeat(10));
    assertThat(stack.full())
        .containsExactly(
            Sublayer.ATTENTION, Sublayer.FEED_FORWARD, Sublayer.ATTENTION, Sublayer.FEED_FORWARD);
    assertThat(stack.narrow()).hasSize(20);
    assertThat(stack.narrowAttentionCount()).isEqualTo(10);
  }

  @Test
  void defaultNarrowKeepsTwoFullLayersOrIsBertWhenTooShallowToNarrow() {
    assertThat(LayerStack.defaultNarrow(6)).isEqualTo("sfsf:sfsfsfsf");
    assertThat(LayerStack.defaultNarrow(3)).isEqualTo("sfsf:sf");
    assertThat(LayerStack.defaultNarrow(2)).isEqualTo("sfsf");
  }

  @Test
  void parsesContextFirstWithOnlyFeedForwardsNarrow() {
    LayerStack stack = LayerStack.parse(LayerStack.contextFirst(6));

    assertThat(stack.full()).containsOnly(Sublayer.ATTENTION).hasSize(6);
    assertThat(stack.narrow()).containsOnly(Sublayer.FEED_FORWARD).hasSize(6);
    assertThat(stack.narrowAttentionCount()).isZero();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "sf:sf:sf | more than one ':'",
        "sfx:sf | unknown character 'x' at index 2",
        "sf sf | unknown character ' '",
        "sfsf: | nothing after ':'",
        ":sfsf | no full-length 's'",
        "ffff | no full-length 's'",
      })
  void rejectsNonsenseWithAOneLineReason(String notation, String reason) {
    assertThatThrownBy(() -> LayerStack.parse(notation))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void rejectsEmptyStack() {
    assertThatThrownBy(() -> LayerStack.parse("")).hasMessageContaining("empty");
  }
}
