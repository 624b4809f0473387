package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MlmMaskingTest {

  private static final int CLS = 2;
  private static final int SEP = 3;
  private static final int MASK = 4;
  private static final int VOCAB = 1000;

  @Test
  void selectsAboutTheRateAndSplitsEightyTenTen() {
    MlmMasking masking = new MlmMasking(0.15f, MASK, VOCAB, Set.of(0, CLS, SEP, MASK));
    Random random = new Random(1);
    int tokens = 0;
    int selected = 0;
    int masked = 0;
    int unchanged = 0;
    for (int n = 0; n < 400; n++) {
      int[] block = block(random);
      MlmMasking.Masked result = masking.apply(block, random);
      tokens += block.length - 2;
      selected += result.positions().length;
      for (int i = 0; i < result.positions().length; i++) {
        int t = result.positions()[i];
        assertThat(result.labels()[i]).isEqualTo(block[t]);
        masked += result.ids()[t] == MASK ? 1 : 0;
        unchanged += result.ids()[t] == block[t] ? 1 : 0;
      }
    }

    assertThat(selected / (double) tokens).isCloseTo(0.15, within(0.01));
    assertThat(masked / (double) selected).isCloseTo(0.8, within(0.02));
    // 10% kept plus the ~0.1% of random replacements that draw the same id.
    assertThat(unchanged / (double) selected).isCloseTo(0.1, within(0.02));
  }

  @Test
  void neverSelectsSpecialTokensAndAlwaysSelectsSomething() {
    MlmMasking masking = new MlmMasking(0.01f, MASK, VOCAB, Set.of(0, CLS, SEP, MASK));
    int[] block = {CLS, 50, SEP, 60, SEP};
    for (int seed = 0; seed < 50; seed++) {
      MlmMasking.Masked result = masking.apply(block, new Random(seed));

      assertThat(result.positions()).hasSize(1);
      assertThat(result.positions()[0]).isIn(1, 3);
    }
  }

  private static int[] block(Random random) {
    int[] block = new int[64];
    block[0] = CLS;
    for (int t = 1; t < block.length - 1; t++) {
      block[t] = 10 + random.nextInt(VOCAB - 10);
    }
    block[block.length - 1] = SEP;
    return block;
  }
}
