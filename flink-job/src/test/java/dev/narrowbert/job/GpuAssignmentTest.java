package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.junit.jupiter.api.Test;

/** A TaskManager's subtasks against a fake GPU resource set, as Flink's GPU driver describes it. */
class GpuAssignmentTest {

  private final GpuAssignment assignment = new GpuAssignment();

  /** One GPU as Flink's GPU driver reports it: a single {@code index} property. */
  private record FakeGpu(String index) implements ExternalResourceInfo {
    @Override
    public Optional<String> getProperty(String key) {
      return key.equals(GpuAssignment.INDEX_PROPERTY) ? Optional.of(index) : Optional.empty();
    }

    @Override
    public Collection<String> getKeys() {
      return List.of(GpuAssignment.INDEX_PROPERTY);
    }
  }

  private static Set<ExternalResourceInfo> gpus(String... indices) {
    return java.util.Arrays.stream(indices).map(FakeGpu::new).collect(Collectors.toSet());
  }

  /** Opens {@code subtasks} subtasks on the same TaskManager, each leasing from the same set. */
  private List<GpuAssignment.Lease> open(int subtasks, Set<ExternalResourceInfo> gpus) {
    List<GpuAssignment.Lease> leases = new ArrayList<>();
    for (int i = 0; i < subtasks; i++) {
      leases.add(assignment.lease(gpus).orElseThrow());
    }
    return leases;
  }

  private static Map<String, Long> subtasksPerGpu(List<GpuAssignment.Lease> leases) {
    return leases.stream()
        .collect(Collectors.groupingBy(GpuAssignment.Lease::index, Collectors.counting()));
  }

  @Test
  void givesEverySubtaskItsOwnGpuWhenThereAreAsManyGpusAsSlots() {
    List<GpuAssignment.Lease> leases = open(4, gpus("0", "1", "2", "3"));

    assertThat(leases).extracting(GpuAssignment.Lease::index).containsExactly("0", "1", "2", "3");
    assertThat(leases).extracting(GpuAssignment.Lease::sharing).containsOnly(1);
  }

  @Test
  void spreadsSubtasksEvenlyWhenSlotsOutnumberGpus() {
    List<GpuAssignment.Lease> leases = open(7, gpus("0", "1", "2"));

    assertThat(subtasksPerGpu(leases))
        .containsOnly(Map.entry("0", 3L), Map.entry("1", 2L), Map.entry("2", 2L));
  }

  @Test
  void aRestartedSubtaskTakesTheGpuItsPredecessorFreed() {
    Set<ExternalResourceInfo> gpus = gpus("0", "1", "2");
    List<GpuAssignment.Lease> leases = open(3, gpus);

    leases.get(1).close();
    leases.get(1).close(); // closing twice frees once

    assertThat(assignment.users("1")).isZero();
    assertThat(assignment.lease(gpus).orElseThrow().index()).isEqualTo("1");
    assertThat(subtasksPerGpu(open(3, gpus)))
        .containsOnly(Map.entry("0", 1L), Map.entry("1", 1L), Map.entry("2", 1L));
  }

  @Test
  void numbersGpusNumericallySoGpuTwoComesBeforeGpuTen() {
    List<GpuAssignment.Lease> leases = open(3, gpus("10", "2", "1"));

    assertThat(leases).extracting(GpuAssignment.Lease::index).containsExactly("1", "2", "10");
  }

  @Test
  void assignsNothingWhenTheTaskManagerHasNoGpus() {
    assertThat(assignment.lease(Set.of())).isEmpty();
    ExternalResourceInfo noIndex =
        new ExternalResourceInfo() {
          @Override
          public Optional<String> getProperty(String key) {
            return Optional.empty();
          }

          @Override
          public Collection<String> getKeys() {
            return List.of();
          }
        };
    assertThat(assignment.lease(Set.of(noIndex))).isEmpty();
  }

  @Test
  void subtasksOfOneTaskManagerShareTheCountThroughTheStaticInstance() {
    Set<ExternalResourceInfo> gpus = gpus("0", "1");
    GpuAssignment.Lease first = GpuAssignment.TASK_MANAGER.lease(gpus).orElseThrow();
    GpuAssignment.Lease second = GpuAssignment.TASK_MANAGER.lease(gpus).orElseThrow();
    try {
      assertThat(first.index()).isNotEqualTo(second.index());
    } finally {
      first.close();
      second.close();
    }
  }
}
