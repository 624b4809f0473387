package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockOrderTest {

  /** 7 training blocks of length 4 whose first content id is the block's index. */
  private static final PackedBlocks BLOCKS =
      new PackedBlocks(new int[] {0, 9, 1, 9, 2, 9, 3, 9, 4, 9, 5, 9, 6, 9, 7, 9}, 4, -1, -2, 1);

  @Test
  void visitsEveryTrainingBlockOncePerEpochAcrossBatchBoundaries() {
    BlockOrder order = new BlockOrder(BLOCKS, 42);
    List<Integer> visited = new ArrayList<>();
    for (long step = 0; step < 7; step++) { // 7 steps of 2 = 2 epochs of 7 blocks
      for (int[] block : order.batch(step, 2)) {
        visited.add(block[1]);
      }
    }

    assertThat(visited.subList(0, 7)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
    assertThat(visited.subList(7, 14)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
    assertThat(visited.subList(0, 7)).isNotEqualTo(visited.subList(7, 14));
  }

  @Test
  void aBatchDependsOnlyOnSeedAndStep() {
    BlockOrder straight = new BlockOrder(BLOCKS, 42);
    for (long step = 0; step < 5; step++) {
      straight.batch(step, 3);
    }
    int[] expected = straight.batch(5, 3).get(1);

    int[] resumed = new BlockOrder(BLOCKS, 42).batch(5, 3).get(1);

    assertThat(resumed).containsExactly(expected);
  }
}
