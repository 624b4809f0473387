package dev.narrowbert.cli;

import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import dev.narrowbert.kafka.LocalKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert kafka}: a real Kafka broker (KRaft, in this process) for a laptop, until
 * Ctrl-C.
 *
 * <p>Prints {@code bootstrap.servers=HOST:PORT} on stdout once clients can connect, so scripts can
 * read it; everything else goes to stderr.
 */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    description = {
      "Start a local Kafka broker (KRaft, no installation needed) and keep it running until Ctrl-C.",
      "Prints bootstrap.servers=HOST:PORT on stdout when it is ready."
    })
public final class KafkaCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "9092",
      description = "Client port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free port).")
  int port;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Keep the broker's data in DIR across restarts (default: a temporary directory, deleted"
              + " on exit).")
  Path dataDir;

  @Option(
      names = "--topic",
      paramLabel = "NAME[:PARTITIONS]",
      split = ",",
      defaultValue = "reviews:4,review-analyses:4,review-dead-letters:1",
      description = "Topics to create (default: ${DEFAULT-VALUE}).")
  List<String> topics;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--port must be in 0..65535, got " + port);
    }
    EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().port(port);
    if (dataDir != null) {
      builder.dataDirectory(dataDir);
    }
    for (String topic : topics) {
      addTopic(builder, topic);
    }
    return LocalKafka.runUntilStopped(
        builder.build(), spec.commandLine().getOut(), String.join(", ", topics));
  }

  private void addTopic(EmbeddedKafkaBroker.Builder builder, String spec) {
    String[] parts = spec.split(":", -1);
    String name = parts[0].strip();
    if (name.isEmpty() || parts.length > 2 || !name.matches("[a-zA-Z0-9._-]+")) {
      throw new ParameterException(
          this.spec.commandLine(),
          "--topic must be NAME or NAME:PARTITIONS with NAME of letters, digits, '.', '_', '-';"
              + " got '"
              + spec
              + "'");
    }
    int partitions = 1;
    if (parts.length == 2) {
      try {
        partitions = Integer.parseInt(parts[1].strip());
      } catch (NumberFormatException e) {
        partitions = -1;
      }
      if (partitions < 1) {
        throw new ParameterException(
            this.spec.commandLine(), "--topic " + spec + ": PARTITIONS must be a positive number");
      }
    }
    builder.topic(name, partitions);
  }
}
