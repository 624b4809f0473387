package dev.narrowbert.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The options of {@code narrowbert eval --task embedding} (a picocli mixin of {@link EvalCommand}),
 * and which of the command's options the task refuses: each model reads reviews with its own length
 * and truncation, and an embedding has no entity gate.
 */
final class EmbeddingOptions {

  /** Only for --task embedding. */
  private static final List<String> OWN =
      List.of("--reference", "--neighbours", "--sample", "--seed");

  /** Meaningless for --task embedding. */
  private static final List<String> REFUSED = List.of("--max-len", "--truncation", "--entity-gate");

  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  @Option(
      names = "--reference",
      paramLabel = "DIR",
      description =
          "embedding: a second model directory to compare with (its own pooling, length and"
              + " truncation), e.g. the imported MiniLM.")
  private Path reference;

  @Option(
      names = "--neighbours",
      paramLabel = "K",
      defaultValue = "10",
      description = "embedding: nearest neighbours per review (default ${DEFAULT-VALUE}).")
  private int neighbours;

  @Option(
      names = "--sample",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "embedding: score a seeded random sample of N labelled reviews (default ${DEFAULT-VALUE}:"
              + " all of them).")
  private int sample;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "embedding: seed of --sample (default ${DEFAULT-VALUE}).")
  private long seed;

  /** Refuses options that do not belong to {@code task} and out-of-range values. */
  void check(String task) {
    ParseResult parsed = spec.commandLine().getParseResult();
    if (!task.equals("embedding")) {
      for (String name : OWN) {
        if (parsed.hasMatchedOption(name)) {
          throw usage(name + " is only for --task embedding");
        }
      }
      return;
    }
    for (String name : REFUSED) {
      if (parsed.hasMatchedOption(name)) {
        throw usage(
            name
                + " does not apply to --task embedding: each model uses its own length and"
                + " truncation, and no entity gate");
      }
    }
    if (neighbours < 1) {
      throw usage("--neighbours must be >= 1");
    }
    if (sample < 0) {
      throw usage("--sample must be >= 0 (0: every labelled review)");
    }
    if (reference != null && !Files.isDirectory(reference)) {
      throw usage("--reference " + reference + " is not a directory");
    }
  }

  /** Refuses a sample too small for --neighbours (each review needs K others). */
  void requireNeighbours(int examples) {
    if (neighbours > examples - 1) {
      throw usage(
          "--neighbours "
              + neighbours
              + " needs at least "
              + (neighbours + 1)
              + " labelled reviews, got "
              + examples);
    }
  }

  /** The reference model directory, or {@code null}. */
  Path reference() {
    return reference;
  }

  int neighbours() {
    return neighbours;
  }

  /** Reviews to sample, 0 for all. */
  int sample() {
    return sample;
  }

  long seed() {
    return seed;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
