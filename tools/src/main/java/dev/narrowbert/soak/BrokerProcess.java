package dev.narrowbert.soak;

import dev.narrowbert.kafka.LocalKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded broker ({@link LocalKafka}, as {@code narrowbert kafka} runs it) in a child JVM, so
 * that a soak measures the job's memory and not the broker's: Kafka memory-maps its log indexes and
 * caches segments, which would show up in the soak process's RSS and grow with the data written.
 */
final class BrokerProcess implements AutoCloseable {
  private final Process process;
  private final String bootstrapServers;

  /**
   * @param topics {@code NAME:PARTITIONS} each
   * @param log where the broker's stderr goes
   */
  BrokerProcess(List<String> topics, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    String logging = System.getProperty("log4j2.configurationFile");
    if (logging != null) {
      command.add("-Dlog4j2.configurationFile=" + logging);
    }
    command.add(LocalKafka.class.getName());
    command.add("0"); // a free port
    command.addAll(topics);
    process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
    BufferedReader stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    // The address line comes once the broker is ready; where the logging setup also writes to
    // stdout (a test classpath), log lines come before it.
    String line = stdout.readLine();
    while (line != null && !line.startsWith("bootstrap.servers=")) {
      line = stdout.readLine();
    }
    if (line == null) {
      process.destroyForcibly();
      throw new IOException("the broker process did not start; see " + log);
    }
    bootstrapServers = line.substring("bootstrap.servers=".length()).strip();
    Thread drain = new Thread(() -> drain(stdout), "broker-stdout");
    drain.setDaemon(true); // a full pipe would block the broker
    drain.start();
  }

  private static void drain(BufferedReader stdout) {
    try {
      while (stdout.readLine() != null) {
        // discard
      }
    } catch (IOException e) {
      // the broker exited
    }
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /** Stops the broker as Ctrl-C does (it deletes its data), forcibly after 60 s. */
  @Override
  public void close() throws IOException {
    new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
