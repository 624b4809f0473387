package dev.narrowbert.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class PaddedBatchesTest {

  private static final ToIntFunction<Integer> LENGTH = Integer::intValue;

  @Test
  void closesABatchBeforeItsPaddedTokensPassTheBudget() {
    // 3 x 30 = 90 fits 100; a fourth text of 40 would make 4 x 40 = 160.
    List<List<Integer>> batches = PaddedBatches.of(List.of(10, 20, 30, 40, 50), LENGTH, 64, 100);

    assertThat(batches).containsExactly(List.of(10, 20, 30), List.of(40, 50));
  }

  @Test
  void closesABatchAtTheMaximumCountWhenTheBudgetAllowsMore() {
    List<List<Integer>> batches = PaddedBatches.of(List.of(1, 1, 1, 1, 1), LENGTH, 2, 1_000);

    assertThat(batches).containsExactly(List.of(1, 1), List.of(1, 1), List.of(1));
  }

  @Test
  void aTextLongerThanTheBudgetFormsABatchOfItsOwn() {
    List<List<Integer>> batches = PaddedBatches.of(List.of(5, 500, 600), LENGTH, 64, 100);

    assertThat(batches).containsExactly(List.of(5), List.of(500), List.of(600));
  }

  @Test
  void keepsEveryTextOnceAndInOrder() {
    List<Integer> sorted = List.of(3, 7, 7, 9, 12, 12, 12, 31, 64, 65);

    List<List<Integer>> batches = PaddedBatches.of(sorted, LENGTH, 3, 40);

    assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(sorted);
    assertThat(batches)
        .allSatisfy(
            b -> assertThat(b.size() == 1 || b.size() * b.get(b.size() - 1) <= 40).isTrue());
  }

  @Test
  void rejectsANonPositiveLimit() {
    assertThatThrownBy(() -> PaddedBatches.of(List.of(1), LENGTH, 0, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(">= 1");
  }
}
