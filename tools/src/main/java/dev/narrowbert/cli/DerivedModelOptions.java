package dev.narrowbert.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --model DIR --out DIR} of the commands that write a new model directory from an existing
 * one ({@code convert}, {@code finetune}, {@code gate}); a picocli mixin. The new directory must
 * not be the start model's.
 */
public final class DerivedModelOptions {

  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "The model directory to start from.")
  private Path model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "New model dir.")
  private Path out;

  Path model() {
    return model;
  }

  Path out() {
    return out;
  }

  /** A usage error if {@code --out} names the same directory as {@code --model}. */
  void checkOutDiffersFromModel() {
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new ParameterException(spec.commandLine(), "--out must differ from --model");
    }
  }
}
