package dev.narrowbert.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A {@link FlinkProcessCluster} for the tests of one class, set up to run the job jar: started
 * before the first test (the JobManager, then the named TaskManagers, which register by themselves
 * while the test goes on), killed after the last, its blobs and jar copies deleted and its logs
 * kept. When a test fails, the tails of every process's log and output are printed. Register it as
 * {@code @RegisterExtension static final}, after the broker the job reads from.
 *
 * <p>Settings over {@link FlinkProcessCluster}'s own (see {@link Builder#setting} to change one):
 * JobManager 1 GB and TaskManagers 1.5 GB without managed memory, one slot per TaskManager,
 * parallelism 2, checkpoints every second, up to 10 restarts a second apart, metrics fetched every
 * second, {@code ai.djl.} loaded parent-first (PyTorch's native library loads once per JVM, as in
 * docker-compose.yml), 300 MiB uploads (the job jar carries PyTorch's natives: 155 MB, above the
 * 100 MiB default), and one PyTorch thread per TaskManager JVM, offline.
 */
final class FlinkProcessClusterExtension
    implements BeforeAllCallback, AfterAllCallback, TestWatcher {
  private static final Map<String, String> DEFAULTS =
      Map.ofEntries(
          Map.entry("jobmanager.memory.process.size", "1g"),
          Map.entry("taskmanager.memory.process.size", "1536m"),
          Map.entry("taskmanager.memory.managed.size", "0"),
          Map.entry("taskmanager.numberOfTaskSlots", "1"),
          Map.entry("parallelism.default", "2"),
          Map.entry("execution.checkpointing.interval", "1 s"),
          Map.entry("restart-strategy.type", "fixed-delay"),
          Map.entry("restart-strategy.fixed-delay.attempts", "10"),
          Map.entry("restart-strategy.fixed-delay.delay", "1 s"),
          Map.entry("metrics.fetcher.update-interval", "1000"),
          Map.entry("classloader.parent-first-patterns.additional", "ai.djl."),
          Map.entry("rest.server.max-content-length", String.valueOf(300 << 20)),
          Map.entry(
              "env.java.opts.taskmanager", "-Dai.djl.pytorch.num_threads=1 -Dai.djl.offline=true"));

  private final String homePrefix;
  private final Map<String, String> settings;
  private final List<Path> libJars;
  private final List<String> taskManagers;
  private Path home;
  private FlinkProcessCluster cluster;

  private FlinkProcessClusterExtension(Builder builder) {
    this.homePrefix = builder.homePrefix;
    this.settings = Map.copyOf(builder.settings);
    this.libJars = List.copyOf(builder.libJars);
    this.taskManagers = List.copyOf(builder.taskManagers);
  }

  /** A cluster whose home is a new temporary directory named {@code homePrefix...}. */
  static Builder builder(String homePrefix) {
    return new Builder(homePrefix);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    home = Files.createTempDirectory(homePrefix);
    cluster = FlinkProcessCluster.startJobManager(home, settings, libJars);
    for (String name : taskManagers) {
      cluster.startTaskManager(name);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (cluster != null) {
      cluster.close();
      cluster = null;
      FlinkProcessCluster.deleteRecursively(home.resolve("tmp")); // blobs and jar copies
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    if (cluster != null) {
      System.err.println("Cluster logs in " + home + cluster.logTails(80));
    }
  }

  /** The running cluster. */
  FlinkProcessCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException(
          "no cluster: register the extension as a static @RegisterExtension field");
    }
    return cluster;
  }

  /** How the cluster is set up. */
  static final class Builder {
    private final String homePrefix;
    private final Map<String, String> settings = new LinkedHashMap<>(DEFAULTS);
    private final List<Path> libJars = new ArrayList<>();
    private final List<String> taskManagers = new ArrayList<>();

    private Builder(String homePrefix) {
      this.homePrefix = homePrefix;
    }

    /** A Flink setting in the cluster's {@code conf/config.yaml}, over the default if any. */
    Builder setting(String key, String value) {
      settings.put(key, value);
      return this;
    }

    /** A jar in the cluster's {@code lib/}, as an operator would copy it there. */
    Builder libJar(Path jar) {
      libJars.add(jar);
      return this;
    }

    /** TaskManagers to start with the cluster, by resource id. */
    Builder taskManagers(String... names) {
      taskManagers.addAll(List.of(names));
      return this;
    }

    FlinkProcessClusterExtension build() {
      return new FlinkProcessClusterExtension(this);
    }
  }
}
