package dev.narrowbert.cli;

import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.job.JobOptions;
import dev.narrowbert.job.JobSettings;
import dev.narrowbert.job.ReviewAnalysisJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Unmatched;

/**
 * {@code narrowbert job}: the streaming job in a local Flink environment against any Kafka, until
 * Ctrl-C (or, with {@code --bounded}, until the reviews present at start are analysed). The same
 * settings work for {@code flink run narrowbert-flink-job.jar} on a cluster.
 *
 * <p>Its options are generated from {@link JobOptions}, one per setting, with the declared key,
 * default and description; picocli converts each value to the option's type, and the typed values
 * go into the {@link Configuration} that {@link JobSettings} is built from.
 */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    customSynopsis = "narrowbert job [-hV] [--config=FILE] [--KEY=VALUE]...",
    description = {
      "Run the streaming job locally against a Kafka cluster, until Ctrl-C (or --bounded).",
      "Every setting below is given as --key value (or in a --config properties file)."
    })
public final class JobCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file of settings (arguments win).")
  Path config;

  /** {@code --kafka.KEY VALUE} pairs, and unknown keys, which {@link JobSettings} rejects. */
  @Unmatched List<String> otherSettings = new ArrayList<>();

  /** Adds one option per {@link JobOptions} setting to {@code command}, under its own heading. */
  static void addSettingOptions(CommandLine command) {
    ArgGroupSpec.Builder settings =
        ArgGroupSpec.builder()
            .heading("Settings (--key value):%n")
            .exclusive(false)
            .validate(false)
            .multiplicity("0..1");
    JobOptions.ALL.forEach(option -> settings.addArg(optionSpec(option)));
    command.getCommandSpec().addArgGroup(settings.build());
    Help.TextTable kafka = Help.TextTable.forDefaultColumns(Help.Ansi.OFF, 23, 80);
    kafka.addRowValues(
        "", "", "", "--" + JobOptions.KAFKA_PREFIX + "KEY=VALUE", JobOptions.KAFKA_DESCRIPTION);
    command
        .getCommandSpec()
        .usageMessage()
        .sortOptions(false)
        .footer(kafka.toString().replace("%", "%%"));
  }

  private static OptionSpec optionSpec(ConfigOption<?> option) {
    Object example = option.hasDefaultValue() ? option.defaultValue() : "";
    String description =
        JobOptions.description(option)
            + JobOptions.defaultText(option).map(value -> " Default: " + value + ".").orElse("");
    OptionSpec.Builder spec =
        OptionSpec.builder("--" + option.key())
            .description(description.replace("%", "%%"))
            .userObject(option)
            .converters(
                text -> {
                  try {
                    return JobOptions.parse(option, text);
                  } catch (IllegalArgumentException e) {
                    throw new TypeConversionException(e.getMessage());
                  }
                });
    if (example instanceof Boolean) {
      return spec.type(Boolean.class)
          .arity("0..1")
          .fallbackValue("true")
          .paramLabel("true|false")
          .build();
    }
    String label = example instanceof Integer ? "N" : example instanceof Duration ? "TIME" : "TEXT";
    return spec.type(Object.class).paramLabel(label).build();
  }

  @Override
  public Integer call() throws Exception {
    JobSettings jobSettings = settings();
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

  /**
   * The settings of the parsed command line: those of the config file, overridden by the other
   * arguments', overridden by the typed options'.
   */
  JobSettings settings() {
    try {
      Configuration settings =
          config == null ? new Configuration() : JobSettings.readConfigFile(config);
      settings.addAll(JobSettings.arguments(otherSettings));
      for (OptionSpec matched : spec.commandLine().getParseResult().matchedOptions()) {
        if (matched.userObject() instanceof ConfigOption<?> option) {
          set(settings, option, matched.getValue());
        }
      }
      if (!settings.contains(JobOptions.MODEL)) {
        settings.set(JobOptions.MODEL, DefaultModel.orDefault(null).toString());
      }
      return JobSettings.from(settings);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void set(Configuration settings, ConfigOption<T> option, Object value) {
    settings.set(option, (T) value);
  }
}
