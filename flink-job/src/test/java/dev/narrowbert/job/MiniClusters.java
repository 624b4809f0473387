package dev.narrowbert.job;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The two Flink MiniClusters the integration tests run on, as Flink's own {@link
 * MiniClusterExtension} (register with {@code @RegisterExtension static final}; a test method gets
 * the cluster with {@code @InjectMiniCluster}). Both have two slots, for parallelism 2.
 */
public final class MiniClusters {
  private MiniClusters() {}

  /**
   * Two TaskManagers with one slot each: parallelism 2 puts work on both, so a test can kill one
   * TaskManager and the job must recover.
   */
  public static MiniClusterExtension twoTaskManagers() {
    return cluster(2, 1);
  }

  /** One TaskManager with two slots: parallelism 2 in one place. */
  public static MiniClusterExtension oneTaskManagerWithTwoSlots() {
    return cluster(1, 2);
  }

  private static MiniClusterExtension cluster(int taskManagers, int slotsEach) {
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(taskManagers)
            .setNumberSlotsPerTaskManager(slotsEach)
            .build());
  }
}
