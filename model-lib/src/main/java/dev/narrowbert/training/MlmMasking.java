package dev.narrowbert.training;

import java.util.Random;
import java.util.Set;

/**
 * BERT's masked-LM corruption (Devlin et al., 2019, Section 3.1 and Appendix A.1): each ordinary
 * token is selected with probability {@code rate} (15%); a selected token is replaced by [MASK] 80%
 * of the time, by a random token 10% and left unchanged 10%. The model must predict the original at
 * every selected position, and only there. Special tokens are never selected, and every block gets
 * at least one selection so the loss is always defined.
 */
public final class MlmMasking {

  /** A corrupted block. */
  public record Masked(int[] ids, int[] positions, int[] labels) {}

  private final float rate;
  private final int maskId;
  private final int vocabSize;
  private final Set<Integer> special;

  public MlmMasking(float rate, int maskId, int vocabSize, Set<Integer> special) {
    if (!(rate > 0 && rate < 1)) {
      throw new IllegalArgumentException("mask rate must be in (0, 1), was " + rate);
    }
    this.rate = rate;
    this.maskId = maskId;
    this.vocabSize = vocabSize;
    this.special = Set.copyOf(special);
  }

  public Masked apply(int[] block, Random random) {
    int[] ids = block.clone();
    int[] selected = new int[block.length];
    int count = 0;
    for (int t = 0; t < block.length; t++) {
      if (!special.contains(block[t]) && random.nextFloat() < rate) {
        selected[count++] = t;
      }
    }
    if (count == 0) {
      int candidates = 0;
      for (int t = 0; t < block.length; t++) {
        if (!special.contains(block[t]) && random.nextInt(++candidates) == 0) {
          selected[0] = t;
        }
      }
      count = candidates == 0 ? 0 : 1;
    }
    int[] positions = java.util.Arrays.copyOf(selected, count);
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      int t = positions[i];
      labels[i] = block[t];
      float roll = random.nextFloat();
      if (roll < 0.8f) {
        ids[t] = maskId;
      } else if (roll < 0.9f) {
        ids[t] = random.nextInt(vocabSize);
      }
    }
    return new Masked(ids, positions, labels);
  }
}
