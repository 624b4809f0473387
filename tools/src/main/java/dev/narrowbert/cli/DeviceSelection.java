package dev.narrowbert.cli;

import ai.djl.Device;
import dev.narrowbert.inference.DeviceOption;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --device auto|cpu|gpu|gpu:N} of the commands that load a model to train or score it (a
 * picocli mixin); {@link DeviceOption} says what each value means.
 */
public final class DeviceSelection {

  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N.")
  private String device;

  /** The chosen device; a value it cannot resolve is a usage error of the command. */
  Device resolve() {
    try {
      return DeviceOption.resolve(device);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /**
   * The option as given, checked by {@link #resolve}, for APIs that resolve it themselves (such as
   * {@code ReviewAnalyzer.open}).
   */
  String option() {
    resolve();
    return device;
  }
}
