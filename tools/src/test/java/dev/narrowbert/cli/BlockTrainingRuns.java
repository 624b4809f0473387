package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.nn.ParameterList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The setup the tests of the block-training commands ({@code pretrain}, {@code distill}) share, as
 * a JUnit extension: a fresh directory per test with a synthetic review corpus in it, and readers
 * of what a run leaves in its {@code --out} directory. Register it on an instance field with
 * {@code @RegisterExtension}.
 */
final class BlockTrainingRuns implements BeforeEachCallback, AfterEachCallback {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Path directory;
  private Path corpus;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    directory = Files.createTempDirectory("block-training-");
    corpus = SyntheticData.reviews(directory.resolve("corpus.jsonl"), 80, 1);
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** The test's own directory. */
  Path directory() {
    return directory;
  }

  /** 80 synthetic reviews as JSON lines. */
  Path corpus() {
    return corpus;
  }

  /** Every line of the run's {@code metrics.jsonl}. */
  static List<JsonNode> metrics(Path out) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  /** The training losses of the run, step by step. */
  static List<Double> losses(Path out) throws IOException {
    return metrics(out).stream()
        .filter(m -> m.has("loss"))
        .map(m -> m.get("loss").asDouble())
        .toList();
  }

  /** The largest absolute difference between two models' corresponding parameters. */
  static float maxDifference(ParameterList a, ParameterList b) {
    assertThat(a.size()).isEqualTo(b.size());
    float max = 0;
    for (int i = 0; i < a.size(); i++) {
      float difference =
          a.valueAt(i).getArray().sub(b.valueAt(i).getArray()).abs().max().getFloat();
      max = Math.max(max, difference);
    }
    return max;
  }
}
