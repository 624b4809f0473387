package dev.narrowbert.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.taskexecutor.TaskManagerRunner;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A Flink standalone session cluster of real processes on this machine: one JobManager ({@link
 * StandaloneSessionClusterEntrypoint}) and any number of TaskManagers ({@link TaskManagerRunner}),
 * each in its own JVM, started the way Flink's {@code bin/jobmanager.sh} and {@code
 * bin/taskmanager.sh} start them.
 *
 * <p>Like a distribution, it has a configuration directory ({@code conf/config.yaml}, {@code
 * conf/log4j.properties}) that every process reads, and a {@code lib/} classpath that holds Flink
 * and its logging: the file {@code flink-cluster/target/cluster.classpath} (system property {@value
 * #CLASSPATH_PROPERTY}), plus the jars a test adds to {@code lib/} as an operator would copy them
 * there (DJL, for one). Whatever is not on it can only come from a submitted job jar, through
 * Flink's user-code class loader. JVM flags come from {@code env.java.opts.*} and from Flink's own
 * memory calculation ({@link ProcessMemoryUtils}), as the scripts get them from {@code
 * BashJavaUtils}. Each process logs to {@code log/NAME.log} and its stdout/stderr go to {@code
 * log/NAME.out}.
 *
 * <p>{@link #close} kills every process it started; a JVM shutdown hook does the same if the test
 * JVM ends first.
 */
final class FlinkProcessCluster implements AutoCloseable {
  /** System property naming the file that holds the cluster's classpath. */
  static final String CLASSPATH_PROPERTY = "narrowbert.flink.cluster.classpath";

  /** What Flink's distribution sets in {@code env.java.opts.all} for Java 17. */
  static final String JAVA_17_OPTIONS =
      String.join(
          " ",
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final String LOG4J =
      String.join(
          "\n",
          "rootLogger.level = INFO",
          "rootLogger.appenderRef.file.ref = File",
          "appender.file.type = File",
          "appender.file.name = File",
          "appender.file.fileName = ${sys:log.file}",
          "appender.file.layout.type = PatternLayout",
          "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p %-60c %x - %m%n",
          // Kafka clients log their whole configuration for every producer the sinks create.
          "logger.kafka.name = org.apache.kafka",
          "logger.kafka.level = WARN",
          "");

  private final Path home;
  private final Configuration config;
  private final List<String> classpath;
  private final int restPort;
  private final List<ClusterProcess> processes = new ArrayList<>();
  private final Thread killOnExit = new Thread(this::killAll, "kill-flink-processes");

  private FlinkProcessCluster(Path home, Configuration config, List<String> classpath, int port) {
    this.home = home;
    this.config = config;
    this.classpath = classpath;
    this.restPort = port;
  }

  /**
   * Writes the configuration directory under {@code home} (the given settings over this class's
   * loopback-only defaults) and starts the JobManager; returns once its REST API answers. Its lib/
   * holds Flink and logging only.
   */
  static FlinkProcessCluster startJobManager(Path home, Map<String, String> settings)
      throws IOException, InterruptedException {
    return startJobManager(home, settings, List.of());
  }

  /**
   * As {@link #startJobManager(Path, Map)}, with {@code libJars} in lib/ besides Flink's own jars:
   * on the classpath of the JobManager and of every TaskManager, after Flink's jars.
   */
  static FlinkProcessCluster startJobManager(
      Path home, Map<String, String> settings, List<Path> libJars)
      throws IOException, InterruptedException {
    for (Path jar : libJars) {
      if (!Files.isRegularFile(jar)) {
        throw new IllegalArgumentException("no jar " + jar + " for the cluster's lib/");
      }
    }
    Files.createDirectories(home.resolve("conf"));
    Files.createDirectories(home.resolve("log"));
    Files.createDirectories(home.resolve("tmp"));
    int restPort = freePort();
    Configuration config = new Configuration();
    for (String key :
        List.of(
            "jobmanager.rpc.address",
            "jobmanager.bind-host",
            "rest.address",
            "rest.bind-address",
            "taskmanager.host",
            "taskmanager.bind-host")) {
      config.setString(key, "127.0.0.1");
    }
    config.setString("jobmanager.rpc.port", String.valueOf(freePort()));
    config.setString("rest.port", String.valueOf(restPort));
    config.setString("env.java.opts.all", JAVA_17_OPTIONS);
    String tmp = home.resolve("tmp").toAbsolutePath().toString();
    config.setString("io.tmp.dirs", tmp);
    config.setString("web.tmpdir", tmp);
    config.setString("blob.storage.directory", tmp);
    settings.forEach(config::setString);
    Files.write(
        home.resolve("conf/config.yaml"),
        ConfigurationUtils.convertConfigToWritableLines(config, true),
        StandardCharsets.UTF_8);
    Files.writeString(home.resolve("conf/log4j.properties"), LOG4J);

    List<String> classpath = new ArrayList<>(readClasspath());
    libJars.forEach(jar -> classpath.add(jar.toAbsolutePath().toString()));
    FlinkProcessCluster cluster =
        new FlinkProcessCluster(home, config, List.copyOf(classpath), restPort);
    Runtime.getRuntime().addShutdownHook(cluster.killOnExit);
    JobManagerProcessSpec memory = JobManagerProcessUtils.processSpecFromConfig(config);
    ClusterProcess jobManager =
        cluster.launch(
            "jobmanager",
            StandaloneSessionClusterEntrypoint.class,
            "env.java.opts.jobmanager",
            JobManagerProcessUtils.generateJvmParametersStr(memory, config),
            JobManagerProcessUtils.generateDynamicConfigsStr(memory));
    FlinkRestClient rest = cluster.rest();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!rest.isUp()) {
      if (!jobManager.process().isAlive() || System.nanoTime() > deadline) {
        String tails = cluster.logTails(60);
        cluster.close();
        throw new IllegalStateException("the JobManager did not come up\n" + tails);
      }
      Thread.sleep(250);
    }
    return cluster;
  }

  /** Starts a TaskManager process with resource id {@code name}; it registers by itself. */
  ClusterProcess startTaskManager(String name) throws IOException {
    TaskExecutorProcessSpec memory = TaskExecutorProcessUtils.processSpecFromConfig(config);
    return launch(
        name,
        TaskManagerRunner.class,
        "env.java.opts.taskmanager",
        ProcessMemoryUtils.generateJvmParametersStr(memory),
        TaskExecutorProcessUtils.generateDynamicConfigsStr(memory)
            + " -D taskmanager.resource-id="
            + name);
  }

  /** The process started under {@code name}. */
  synchronized ClusterProcess process(String name) {
    return processes.stream()
        .filter(process -> process.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no process " + name));
  }

  FlinkRestClient rest() {
    return new FlinkRestClient(URI.create("http://127.0.0.1:" + restPort));
  }

  /** The entries of the cluster's classpath (its {@code lib/}). */
  List<String> classpath() {
    return classpath;
  }

  /** The last {@code lines} of every process's log and output, for a failure report. */
  String logTails(int lines) {
    StringBuilder tails = new StringBuilder();
    for (ClusterProcess process : processes) {
      tails.append(process.tail(lines));
    }
    return tails.toString();
  }

  /** Kills every process of the cluster (SIGKILL) and waits for each to end. */
  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  private synchronized void killAll() {
    for (ClusterProcess process : processes) {
      process.kill();
    }
  }

  private synchronized ClusterProcess launch(
      String name, Class<?> entryPoint, String roleOptionsKey, String jvmMemory, String dynamic)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(words(config.getString("env.java.opts.all", "")));
    command.addAll(words(config.getString(roleOptionsKey, "")));
    command.addAll(words(jvmMemory));
    Path log = home.resolve("log").resolve(name + ".log").toAbsolutePath();
    command.add("-Dlog.file=" + log);
    command.add("-Dlog4j.configurationFile=" + home.resolve("conf/log4j.properties").toUri());
    command.add("-Djava.io.tmpdir=" + home.resolve("tmp").toAbsolutePath());
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, classpath));
    command.add(entryPoint.getName());
    command.add("--configDir");
    command.add(home.resolve("conf").toAbsolutePath().toString());
    command.addAll(words(dynamic));
    Path out = home.resolve("log").resolve(name + ".out").toAbsolutePath();
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .directory(home.toFile())
            .start();
    ClusterProcess started = new ClusterProcess(name, process, log, out);
    processes.add(started);
    return started;
  }

  private static List<String> words(String line) {
    return Arrays.stream(line.strip().split("\\s+")).filter(word -> !word.isEmpty()).toList();
  }

  private static List<String> readClasspath() throws IOException {
    String file = System.getProperty(CLASSPATH_PROPERTY);
    if (file == null) {
      throw new IllegalStateException(
          "system property " + CLASSPATH_PROPERTY + " is not set (run the test through Maven)");
    }
    return List.of(Files.readString(Path.of(file)).strip().split(java.io.File.pathSeparator));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One JVM of the cluster. */
  record ClusterProcess(String name, Process process, Path log, Path output) {
    /**
     * Kills the JVM with SIGKILL, as a crashed machine or the kernel's OOM killer would: no
     * shutdown hooks, nothing flushed or closed. Returns its exit status (137 = 128 + SIGKILL).
     */
    int kill() {
      process.destroyForcibly();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException(name + " (pid " + process.pid() + ") did not die");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while killing " + name, e);
      }
      return process.exitValue();
    }

    /** How many lines of its log contain every one of {@code texts}. */
    long logLinesContaining(String... texts) throws IOException {
      try (var lines = Files.lines(log)) {
        return lines.filter(line -> Arrays.stream(texts).allMatch(line::contains)).count();
      }
    }

    String tail(int lines) {
      StringBuilder tail = new StringBuilder();
      for (Path file : List.of(log, output)) {
        tail.append("\n===== ").append(file).append(" (last ").append(lines).append(" lines)\n");
        try {
          List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
          all.subList(Math.max(0, all.size() - lines), all.size())
              .forEach(line -> tail.append(line).append('\n'));
        } catch (IOException | UncheckedIOException e) {
          tail.append("(cannot read: ").append(e).append(")\n");
        }
      }
      return tail.toString();
    }
  }

  /** Deletes a cluster's home directory (configuration, logs, blobs) and everything in it. */
  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
