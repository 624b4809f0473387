package dev.narrowbert.cli;

import dev.narrowbert.bench.BatchingBenchmark;
import dev.narrowbert.bench.DeviceBenchmark;
import dev.narrowbert.bench.ModelBenchmark;
import dev.narrowbert.bench.PipelineBenchmark;
import dev.narrowbert.bench.SqlBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code narrowbert bench SUITE}: benchmarks that report ratios measured in one run. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks; each prints ratios measured alternately in one run and writes JSON.",
    synopsisSubcommandLabel = "SUITE",
    subcommands = {
      ModelBenchmark.class,
      DeviceBenchmark.class,
      BatchingBenchmark.class,
      PipelineBenchmark.class,
      SqlBenchmark.class
    })
public final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "no benchmark suite given");
  }
}
