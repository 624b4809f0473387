package dev.narrowbert.cli;

import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.Pooling;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert init-model --preset tiny --out DIR}: writes a randomly initialised model
 * directory, so {@code analyze} and the streaming job can run before a trained model exists.
 */
@Command(
    name = "init-model",
    mixinStandardHelpOptions = true,
    description = "Writes a randomly initialised model directory from a preset.")
public final class InitModelCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--preset",
      defaultValue = "tiny",
      description = "tiny, mini or base (default: ${DEFAULT-VALUE}).")
  private String preset;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "New directory.")
  private Path out;

  @Option(names = "--seed", defaultValue = "42", description = "Weight seed.")
  private int seed;

  @Option(
      names = "--vocab",
      paramLabel = "FILE",
      description = "vocab.txt to use (default: the bundled bert-base-uncased vocabulary).")
  private Path vocab;

  @Option(names = "--layer-stack", description = "Override the preset's stack, e.g. sfsf:sfsf.")
  private String layerStack;

  @Option(names = "--pooling", description = "cls or mean (default: cls).")
  private String pooling;

  @Override
  public Integer call() throws IOException {
    NarrowBertConfig config;
    try {
      config = NarrowBertConfig.preset(preset, 1, "");
      if (layerStack != null) {
        config = config.withLayerStack(layerStack);
      }
      if (pooling != null) {
        config = config.withPooling(Pooling.fromJson(pooling));
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    if (Files.isDirectory(out)) {
      try (var entries = Files.list(out)) {
        if (entries.findAny().isPresent()) {
          throw new ParameterException(spec.commandLine(), "--out " + out + " is not empty");
        }
      }
    }
    WordPieceVocabulary vocabulary =
        vocab == null ? WordPieceVocabulary.bertBaseUncased() : WordPieceVocabulary.load(vocab);
    ModelDirectory.create(config, vocabulary, seed, out);
    spec.commandLine().getOut().println("wrote " + preset + " model to " + out);
    return 0;
  }
}
