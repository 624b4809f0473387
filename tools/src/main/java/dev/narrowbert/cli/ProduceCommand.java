package dev.narrowbert.cli;

import dev.narrowbert.kafka.topics.ReviewFile;
import dev.narrowbert.kafka.topics.ReviewProducer;
import dev.narrowbert.output.JsonLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code narrowbert produce}: sends a JSON-lines file of reviews to a topic as Review records. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Send reviews from a JSON-lines file to a topic.",
      "Lines have text and optionally review_id, source, product_id, rating, language; each",
      "becomes an Avro Review keyed by review_id. Bad lines are reported on stderr and skipped.",
      "The last stdout line is {\"produced\":N,\"bad_lines\":M,\"topic\":T}."
    })
public final class ProduceCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT")
  String bootstrapServers;

  @Option(
      names = "--topic",
      defaultValue = "reviews",
      description = "Topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--file",
      required = true,
      paramLabel = "FILE",
      description = "JSON lines; - reads stdin.")
  String file;

  @Option(
      names = "--kafka",
      paramLabel = "KEY=VALUE",
      description = "A Kafka producer property, e.g. --kafka security.protocol=SSL (repeatable).")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Override
  public Integer call() throws IOException {
    ReviewFile reviews = new ReviewFile(file);
    try (BufferedReader lines = open();
        ReviewProducer producer = new ReviewProducer(bootstrapServers, topic, kafka)) {
      reviews.read(lines, producer::send);
      producer.flush();
    }
    reviews
        .badLines()
        .forEach(bad -> spec.commandLine().getErr().println("skipped " + file + " " + bad));
    spec.commandLine()
        .getOut()
        .println(
            new JsonLine()
                .put("produced", reviews.reviews())
                .put("bad_lines", reviews.badLines().size())
                .put("topic", topic));
    return 0;
  }

  private BufferedReader open() throws IOException {
    if (file.equals("-")) {
      return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
    try {
      return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ParameterException(spec.commandLine(), "--file " + file + ": no such file");
    }
  }
}
