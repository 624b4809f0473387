package dev.narrowbert.cli;

import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.job.JobSettings;
import dev.narrowbert.job.ReviewAnalysisJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code narrowbert job}: the streaming job in a local Flink environment against any Kafka, until
 * Ctrl-C (or, with {@code --bounded}, until the reviews present at start are analysed). The same
 * settings work for {@code flink run narrowbert-flink-job.jar} on a cluster.
 */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = {
      "Run the streaming job locally against a Kafka cluster, until Ctrl-C (or --bounded).",
      "Every setting below is given as --key value (or in a --config properties file)."
    })
public final class JobCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT")
  String bootstrapServers;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Model directory (default: the shipped default model).")
  Path model;

  @Option(
      names = "--bounded",
      description = "Stop once the reviews in the topic at start are analysed.")
  boolean bounded;

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file of settings.")
  Path config;

  @Unmatched List<String> settings = new ArrayList<>();

  /** Lists every job setting with its default in the help of {@code command}. */
  static void describeSettings(CommandLine command) {
    StringBuilder footer = new StringBuilder("%nSettings (--key value):%n");
    for (JobSettings.Setting setting : JobSettings.SETTINGS) {
      String defaultValue = setting.defaultValue();
      footer
          .append("  --")
          .append(setting.key())
          .append(defaultValue == null ? "" : " (default: " + defaultValue + ")")
          .append("%n      ")
          .append(setting.description().replace("%", "%%"))
          .append("%n");
    }
    command.getCommandSpec().usageMessage().footer(footer.toString());
  }

  @Override
  public Integer call() throws Exception {
    JobSettings jobSettings = parse();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ReviewAnalysisJob.buildOnKafka(env, jobSettings);
    spec.commandLine()
        .getErr()
        .printf(
            "Analysing %s at %s into %s (dead letters: %s) with model %s%s%n",
            jobSettings.reviewsTopic(),
            jobSettings.bootstrapServers(),
            jobSettings.resultsTopic(),
            jobSettings.deadLetterTopic(),
            jobSettings.modelDirectory(),
            jobSettings.bounded()
                ? "; stops at the current end of the topic"
                : "; Ctrl-C stops it");
    env.execute(ReviewAnalysisJob.NAME);
    return 0;
  }

  private JobSettings parse() {
    List<String> args = new ArrayList<>(settings);
    args.add("--bootstrap-servers");
    args.add(bootstrapServers);
    try {
      args.add("--model");
      args.add(DefaultModel.orDefault(model).toString());
      if (bounded) {
        args.add("--bounded");
        args.add("true");
      }
      if (config != null) {
        args.add("--config");
        args.add(config.toString());
      }
      return JobSettings.fromArgs(args.toArray(String[]::new));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
