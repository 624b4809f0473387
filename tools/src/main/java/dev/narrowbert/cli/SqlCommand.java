package dev.narrowbert.cli;

import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import dev.narrowbert.sql.NarrowbertModelOptions;
import dev.narrowbert.sqlclient.SqlScript;
import dev.narrowbert.sqlclient.SqlScriptRunner;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code narrowbert sql FILE.sql}: a Flink SQL script in a local Flink environment. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run a Flink SQL script in a local Flink environment (like sql-client.sh -f) and print"
          + " query results as tables on stdout.",
      "The 'narrowbert' model provider is available: CREATE MODEL m INPUT (text STRING) OUTPUT"
          + " (sentiment STRING) WITH ('provider' = 'narrowbert'), then ML_PREDICT(TABLE t,"
          + " MODEL m, DESCRIPTOR(text)). ML_PREDICT keeps "
          + SqlScriptRunner.ML_PREDICT_IN_FLIGHT
          + " rows in flight per subtask unless the script SETs"
          + " 'table.exec.async-ml-predict.max-concurrent-operations'.",
      "Examples: examples/ml_predict_values.sql; examples/ml_predict_kafka.sql --embedded-kafka."
    })
public final class SqlCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE.sql", description = "The script: statements ending with ';'.")
  Path file;

  @Option(
      names = "--var",
      paramLabel = "NAME=VALUE",
      description = "Replace $${NAME} in the script with VALUE (repeatable).")
  Map<String, String> variables = new LinkedHashMap<>();

  @Option(
      names = "--embedded-kafka",
      description =
          "Start a Kafka broker in this process for the script (topics are created when first"
              + " used) and set $${bootstrap-servers} to its address.")
  boolean embeddedKafka;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A Flink session setting, like SET 'KEY' = 'VALUE' at the top of the script"
              + " (repeatable), e.g. --set parallelism.default=2.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      defaultValue = "-1",
      description =
          "Print at most N rows of each query, then cancel it (default: all; a query over an"
              + " unbounded source needs this or a bounded scan).")
  long maxRows;

  /** Lists the model options in {@code sql --help}, from their declarations. */
  static void describeModelOptions(CommandLine command) {
    StringBuilder footer =
        new StringBuilder("%nOptions of a 'narrowbert' model (CREATE MODEL ... WITH):%n");
    List<ConfigOption<?>> modelOptions = new ArrayList<>(NarrowbertModelOptions.ALL);
    modelOptions.sort(Comparator.comparing(ConfigOption::key));
    for (ConfigOption<?> option : modelOptions) {
      footer
          .append("  '")
          .append(option.key())
          .append("'")
          .append(
              option.hasDefaultValue()
                  ? " (default: " + defaultValue(option.defaultValue()) + ")"
                  : "")
          .append("%n      ")
          .append(new HtmlFormatter().format(option.description()).replace("%", "%%"))
          .append("%n");
    }
    command.getCommandSpec().usageMessage().footer(footer.toString());
  }

  private static String defaultValue(Object value) {
    return value instanceof Duration duration
        ? TimeUtils.formatWithHighestUnit(duration)
        : String.valueOf(value);
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no SQL script at " + file);
    }
    String script = Files.readString(file, StandardCharsets.UTF_8);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> values = new LinkedHashMap<>(variables);
    EmbeddedKafkaBroker kafka = null;
    try {
      if (embeddedKafka) {
        kafka =
            EmbeddedKafkaBroker.builder()
                .brokerProperty("auto.create.topics.enable", "true")
                .build()
                .start();
        values.putIfAbsent("bootstrap-servers", kafka.bootstrapServers());
        err.println("[INFO] Kafka broker at " + kafka.bootstrapServers());
      }
      List<String> statements = SqlScript.statements(script, values);
      new SqlScriptRunner(settings, maxRows, out, err).run(statements);
    } finally {
      if (kafka != null) {
        kafka.close();
      }
    }
    return 0;
  }
}
