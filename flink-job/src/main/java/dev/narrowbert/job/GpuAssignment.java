package dev.narrowbert.job;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;

/**
 * Spreads the model subtasks of one TaskManager over the GPUs Flink gave that TaskManager.
 *
 * <p>Flink's GPU external resource ({@code external-resources: gpu}) hands every operator of a
 * TaskManager the same set of GPUs, one {@link ExternalResourceInfo} with an {@code index} property
 * each; it does not say which one a slot should use. Taking the first index put every subtask of a
 * multi-GPU TaskManager on GPU 0. Instead each subtask {@linkplain #lease leases} the GPU that the
 * fewest open subtasks use (ties go to the lowest index) and returns it when it closes: with as
 * many slots as GPUs every subtask has its own, with more slots they share as evenly as possible,
 * and a restarted subtask takes back a GPU its failed predecessor freed.
 *
 * <p>The count lives in {@link #TASK_MANAGER}, a static of the job's class loader, so it spans the
 * subtasks of one job in one TaskManager (the streaming job's and ML_PREDICT's alike); a second job
 * on the same TaskManager counts its own.
 */
public final class GpuAssignment {

  /** The assignment shared by every subtask of this job in this TaskManager (JVM). */
  public static final GpuAssignment TASK_MANAGER = new GpuAssignment();

  /** Flink's GPU driver puts the GPU's index (as {@code nvidia-smi} numbers it) here. */
  static final String INDEX_PROPERTY = "index";

  /** GPU 2 before GPU 10; anything that is not a number after the numbers, by name. */
  private static final Comparator<String> NUMERIC_FIRST =
      Comparator.comparing((String index) -> !index.matches("\\d{1,9}"))
          .thenComparing(index -> index.matches("\\d{1,9}") ? Integer.parseInt(index) : 0)
          .thenComparing(Comparator.naturalOrder());

  private final Map<String, Integer> openSubtasks = new HashMap<>(); // guarded by this

  /** One subtask's use of one GPU, returned by {@link #close}. */
  public final class Lease implements AutoCloseable {
    private final String index;
    private final int sharing;
    private boolean closed;

    private Lease(String index, int sharing) {
      this.index = index;
      this.sharing = sharing;
    }

    /** The GPU's index, e.g. {@code "1"} for {@code gpu:1}. */
    public String index() {
      return index;
    }

    /** How many open subtasks, this one included, used this GPU when it was leased. */
    public int sharing() {
      return sharing;
    }

    @Override
    public void close() {
      synchronized (GpuAssignment.this) {
        if (!closed) {
          closed = true;
          openSubtasks.merge(index, -1, Integer::sum);
        }
      }
    }
  }

  /**
   * Leases the least used of {@code gpus} to the calling subtask.
   *
   * @return empty if no GPU in the set has an {@code index} property
   */
  public synchronized Optional<Lease> lease(Collection<ExternalResourceInfo> gpus) {
    List<String> indices =
        gpus.stream()
            .map(gpu -> gpu.getProperty(INDEX_PROPERTY))
            .flatMap(Optional::stream)
            .map(String::strip)
            .distinct()
            .sorted(NUMERIC_FIRST)
            .toList();
    String least = null;
    for (String index : indices) {
      if (least == null || users(index) < users(least)) {
        least = index;
      }
    }
    if (least == null) {
      return Optional.empty();
    }
    int sharing = openSubtasks.merge(least, 1, Integer::sum);
    return Optional.of(new Lease(least, sharing));
  }

  /** How many open subtasks use the GPU with this index. */
  synchronized int users(String index) {
    return openSubtasks.getOrDefault(index, 0);
  }
}
