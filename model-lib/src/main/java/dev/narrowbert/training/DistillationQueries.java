package dev.narrowbert.training;

import java.util.Arrays;
import java.util.Random;
import java.util.Set;

/**
 * The positions at which a {@link Distillation} compares student and teacher: [CLS] (position 0),
 * which sentiment classification reads, plus each ordinary token with probability {@code rate}, as
 * the 15% of positions whose outputs NarrowBERT's narrow layers compute in pretraining (Li et al.,
 * ACL 2023, Section 3). Unlike {@link MlmMasking} nothing is replaced: teacher and student see the
 * same real text, and special tokens ([SEP], [PAD], ...) are never chosen.
 */
public final class DistillationQueries {

  private final float rate;
  private final Set<Integer> special;

  /**
   * @param rate share of ordinary positions chosen besides [CLS], in [0, 1]
   * @param special ids never chosen (position 0 is chosen whatever its id)
   */
  public DistillationQueries(float rate, Set<Integer> special) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("query rate must be in [0, 1], was " + rate);
    }
    this.rate = rate;
    this.special = Set.copyOf(special);
  }

  /** Ascending positions of {@code block}, 0 first. */
  public int[] choose(int[] block, Random random) {
    int[] chosen = new int[block.length];
    int count = 0;
    chosen[count++] = 0;
    for (int t = 1; t < block.length; t++) {
      // One draw per position whatever its id, so a block's draws do not depend on its content.
      boolean pick = random.nextFloat() < rate;
      if (pick && !special.contains(block[t])) {
        chosen[count++] = t;
      }
    }
    return Arrays.copyOf(chosen, count);
  }
}
