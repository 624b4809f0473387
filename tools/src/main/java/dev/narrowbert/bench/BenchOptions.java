package dev.narrowbert.bench;

import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.demo.Demo;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every streaming benchmark takes (a picocli mixin). */
public final class BenchOptions {

  @Option(names = "--quick", description = "Fewer reviews and rounds (under 2 minutes).")
  boolean quick;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE.json",
      description = "Where to write the JSON result; a .md table and a .png chart go beside it.")
  Path out;

  @Option(names = "--model", paramLabel = "DIR", description = "Model (default: the shipped one).")
  Path model;

  @Option(
      names = "--reviews",
      paramLabel = "FILE",
      description =
          "Review JSON lines to use, e.g. ../shared/data/imdb/test.jsonl (default: the demo samples).")
  Path reviews;

  /** The model to measure: the given one, else the shipped one, else an untrained one. */
  Path modelDirectory() {
    return model != null ? model : DefaultModel.directory().orElseGet(Demo::untrainedModel);
  }
}
