package dev.narrowbert.cli;

import dev.narrowbert.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code narrowbert demo}: the whole system on one machine, end to end, then exits. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole system on this machine, show the results, and exit.",
      "Starts an embedded Kafka broker, produces sample reviews and one malformed event of each",
      "kind, runs the streaming job on a local Flink environment, reads the results back with",
      "read_committed and prints them. The last stdout line is a JSON summary."
    })
public final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--reviews",
      defaultValue = "200",
      description = "Reviews to produce (default: ${DEFAULT-VALUE}).")
  int reviews;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Model directory (default: the shipped default model).")
  Path model;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Job parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--show",
      defaultValue = "12",
      description = "Results to print as a table (default: ${DEFAULT-VALUE}).")
  int show;

  @Override
  public Integer call() throws Exception {
    if (reviews < 1 || parallelism < 1 || show < 0) {
      throw new ParameterException(
          spec.commandLine(), "--reviews and --parallelism must be positive, --show at least 0");
    }
    Demo.Summary summary =
        new Demo(reviews, model, parallelism).run(spec.commandLine().getOut(), show);
    spec.commandLine().getOut().println(summary.toJson());
    return 0;
  }
}
