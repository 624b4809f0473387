package dev.narrowbert.kafka;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A broker that runs until the process is told to stop (Ctrl-C, SIGINT or SIGTERM): what {@code
 * narrowbert kafka} runs, and, through {@link #main}, the broker child process of the memory soak.
 *
 * <p>Prints {@code bootstrap.servers=HOST:PORT} on {@code out} once clients can connect, so that
 * scripts and parent processes can read it; everything else goes to stderr.
 */
public final class LocalKafka {

  private LocalKafka() {}

  /**
   * Starts {@code broker} and blocks until a shutdown signal closes it (its data is deleted unless
   * it was given a data directory) or it fails.
   *
   * @param topics how the topics are described in the "running" line
   * @return 0 once stopped
   * @throws IllegalStateException if the broker reports a fatal error
   */
  public static int runUntilStopped(EmbeddedKafkaBroker broker, PrintWriter out, String topics)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  System.err.println("Kafka broker stopped.");
                  stopped.countDown();
                },
                "kafka-shutdown"));
    broker.start();

    out.println("bootstrap.servers=" + broker.bootstrapServers());
    out.flush();
    System.err.println(
        "Kafka broker running (topics "
            + topics
            + "; data in "
            + broker.dataDirectory()
            + "). Press Ctrl-C to stop.");

    while (broker.isRunning()) {
      var fatal = broker.fatalError();
      if (fatal.isPresent()) {
        throw new IllegalStateException(fatal.get().getMessage(), fatal.get());
      }
      if (stopped.await(500, TimeUnit.MILLISECONDS)) {
        break;
      }
    }
    return 0;
  }

  /**
   * A broker in a child process: {@code PORT NAME:PARTITIONS...}, arguments a program writes (the
   * command-line front end with its checks is {@code narrowbert kafka}).
   */
  public static void main(String[] args) throws InterruptedException {
    EmbeddedKafkaBroker.Builder builder =
        EmbeddedKafkaBroker.builder().port(Integer.parseInt(args[0]));
    List<String> topics = Arrays.asList(args).subList(1, args.length);
    for (String topic : topics) {
      String[] parts = topic.split(":", 2);
      builder.topic(parts[0], parts.length == 2 ? Integer.parseInt(parts[1]) : 1);
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    System.exit(runUntilStopped(builder.build(), out, String.join(", ", topics)));
  }
}
