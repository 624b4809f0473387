package dev.narrowbert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.DeviceOption;
import dev.narrowbert.inference.Entity;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.tokenizer.Encoding;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert analyze --model DIR < reviews.jsonl > results.jsonl}: one JSON result line per
 * input line, in input order. A line that is not a JSON object with a string {@code text} yields
 * {@code {"line":N,"error":"..."}} and processing continues.
 */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description =
        "Reads JSON lines {\"text\": ..., \"review_id\": ...} from stdin and writes one JSON line"
            + " per input with sentiment, entities, embedding and token count.")
public final class AnalyzeCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec private CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Model directory (default: the shipped models/default).")
  private Path model;

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      description = "Reviews per forward pass (default: ${DEFAULT-VALUE}).")
  private int batchSize;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  private String device;

  private final InputStream input;
  private final OutputStream output;

  public AnalyzeCommand() {
    this(System.in, System.out);
  }

  /** For tests: read from {@code input} and write to {@code output} instead of stdin/stdout. */
  public AnalyzeCommand(InputStream input, OutputStream output) {
    this.input = input;
    this.output = output;
  }

  /** One input line: either a tokenised review or the error to report for it. */
  private record Pending(int line, JsonNode reviewId, Encoding encoding, String error) {}

  @Override
  public Integer call() throws IOException {
    if (batchSize < 1) {
      throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1");
    }
    Path model;
    try {
      model = DefaultModel.orDefault(this.model);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (!Files.isDirectory(model)) {
      throw new ParameterException(spec.commandLine(), "--model " + model + " is not a directory");
    }
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
    BufferedWriter writer =
        new BufferedWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8));
    try {
      DeviceOption.resolve(device);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(model, device)) {
      List<Pending> pending = new ArrayList<>();
      int reviews = 0;
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        Pending parsed = parse(++lineNumber, line, analyzer);
        pending.add(parsed);
        if (parsed.encoding() != null && ++reviews == batchSize) {
          flush(pending, analyzer, writer);
          reviews = 0;
        }
      }
      flush(pending, analyzer, writer);
    }
    writer.flush();
    return 0;
  }

  private static Pending parse(int lineNumber, String line, ReviewAnalyzer analyzer) {
    try {
      JsonNode node = JSON.readTree(line);
      if (node == null || !node.isObject()) {
        return new Pending(lineNumber, null, null, "expected a JSON object");
      }
      JsonNode text = node.get("text");
      if (text == null || !text.isTextual()) {
        return new Pending(lineNumber, node.get("review_id"), null, "missing string field 'text'");
      }
      return new Pending(lineNumber, node.get("review_id"), analyzer.encode(text.asText()), null);
    } catch (IOException e) {
      String message =
          e.getMessage() == null ? "invalid JSON" : e.getMessage().lines().findFirst().orElse("");
      return new Pending(lineNumber, null, null, "invalid JSON: " + message);
    }
  }

  private static void flush(List<Pending> pending, ReviewAnalyzer analyzer, BufferedWriter writer) {
    List<Encoding> encodings =
        pending.stream().filter(p -> p.encoding() != null).map(Pending::encoding).toList();
    List<Analysis> analyses = analyzer.analyzeEncoded(encodings);
    int next = 0;
    try {
      for (Pending p : pending) {
        ObjectNode result = JsonLine.tree().put("line", p.line());
        if (p.reviewId() != null) {
          result.set("review_id", p.reviewId());
        }
        if (p.error() != null) {
          result.put("error", p.error());
        } else {
          write(result, analyses.get(next++));
        }
        writer.write(JsonLine.of(result));
        writer.newLine();
      }
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results: " + e.getMessage(), e);
    }
    pending.clear();
  }

  private static void write(ObjectNode result, Analysis analysis) {
    result.put("sentiment", analysis.sentiment());
    ObjectNode probabilities = result.putObject("sentiment_probabilities");
    for (Map.Entry<String, Float> p : analysis.sentimentProbabilities().entrySet()) {
      probabilities.put(p.getKey(), p.getValue());
    }
    var entities = result.putArray("entities");
    for (Entity entity : analysis.entities()) {
      entities
          .addObject()
          .put("type", entity.type())
          .put("text", entity.text())
          .put("start", entity.start())
          .put("end", entity.end())
          .put("score", entity.score());
    }
    var embedding = result.putArray("embedding");
    for (float value : analysis.embedding()) {
      embedding.add(value);
    }
    result.put("token_count", analysis.tokenCount());
    result.put("truncated", analysis.truncated());
  }
}
