package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Runs {@code narrowbert kafka} as its own process, the way a user does, and uses the broker. */
class KafkaCommandITCase {

  @Test
  void startsABrokerThatPlainClientsUseAndStopsCleanlyOnCtrlC() throws Exception {
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                // The launcher's logging setup: logs on stderr, stdout only for the address.
                "-Dlog4j2.configurationFile="
                    + Path.of(System.getProperty("narrowbert.root"), "conf/log4j2-cli.properties"),
                NarrowbertCli.class.getName(),
                "kafka",
                "--port",
                "0",
                "--topic",
                "demo:2")
            .start();
    CompletableFuture<String> stderr =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                return e.toString();
              }
            });
    try {
      BufferedReader stdout =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String ready =
          CompletableFuture.supplyAsync(() -> readLine(stdout)).get(120, TimeUnit.SECONDS);
      assertThat(ready).matches("bootstrap\\.servers=127\\.0\\.0\\.1:\\d+");
      String bootstrap = ready.substring("bootstrap.servers=".length());

      try (var producer =
          new KafkaProducer<>(
              Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
              new StringSerializer(),
              new StringSerializer())) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>("demo", "k" + i, "review " + i)).get();
        }
      }
      List<String> received = new ArrayList<>();
      try (var consumer =
          new KafkaConsumer<>(
              Map.<String, Object>of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                  ConsumerConfig.GROUP_ID_CONFIG, "kafka-command-it",
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
              new StringDeserializer(),
              new StringDeserializer())) {
        consumer.subscribe(List.of("demo"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (received.size() < 10 && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
        }
      }
      assertThat(received).hasSize(10).contains("review 0", "review 9");

      // Ctrl-C: SIGINT to the process (Process.destroy() would also close its output streams).
      new ProcessBuilder("kill", ctrlC(), String.valueOf(process.pid())).start().waitFor();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("broker process exits").isTrue();
      String log = stderr.get(10, TimeUnit.SECONDS);
      assertThat(log).contains("Kafka broker stopped.");
      Matcher dataDir = Pattern.compile("data in ([^)]+)\\)").matcher(log);
      assertThat(dataDir.find()).as("stderr names the data directory: %s", log).isTrue();
      assertThat(Path.of(dataDir.group(1))).as("temporary data deleted on exit").doesNotExist();
    } finally {
      process.destroyForcibly();
    }
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * {@code -INT}, as Ctrl-C sends; or {@code -TERM} where this JVM was started with SIGINT ignored
   * (a build run in the background of a shell without job control, e.g. {@code nohup mvn ... &}):
   * the broker process inherits that, so SIGINT could not reach it, while SIGTERM runs the same JVM
   * shutdown hooks.
   */
  private static String ctrlC() throws java.io.IOException {
    Path status = Path.of("/proc/self/status");
    if (Files.isReadable(status)) {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("SigIgn:")) {
          long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
          return (ignored & (1L << (2 - 1))) != 0
              ? "-TERM"
              : "-INT"; // bit n-1: signal n; SIGINT = 2
        }
      }
    }
    return "-INT";
  }
}
