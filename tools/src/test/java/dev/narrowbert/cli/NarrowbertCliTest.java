package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.job.JobOptions;
import dev.narrowbert.job.JobSettings;
import dev.narrowbert.job.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NarrowbertCliTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return NarrowbertCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpListsTheSubcommandsAndExitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("Usage: narrowbert", "Commands:", "kafka");
  }

  @Test
  void everySubcommandHasHelp() {
    assertThat(run("kafka", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: narrowbert kafka", "--port", "--data-dir");
  }

  @Test
  void everySubcommandsHelpRendersWithoutPicocliWarnings() throws Exception {
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      for (String command : new CommandLine(new NarrowbertCli()).getSubcommands().keySet()) {
        assertThat(run(command, "--help")).as(command).isZero();
      }
    } finally {
      System.setErr(stderr);
    }
    // e.g. an unescaped "%" in a description: picocli then prints the raw text and a WARN
    assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("WARN");
  }

  @Test
  void distillIsRegisteredWithItsOptions() {
    assertThat(run("distill", "--help")).isZero();
    assertThat(out.toString())
        .contains("Usage: narrowbert distill", "--teacher", "--student", "--query-rate");
  }

  @Test
  void unknownCommandPrintsOneLineAndUsageAndExitsTwo() {
    assertThat(run("frobnicate")).isEqualTo(NarrowbertCli.USAGE_ERROR);
    String[] lines = err.toString().split("\n");
    assertThat(lines[0]).isEqualTo("narrowbert: unknown command 'frobnicate'");
    assertThat(err.toString()).contains("Usage: narrowbert");
  }

  @Test
  void unknownCommandWithHelpIsStillAUsageError() {
    assertThat(run("nosuch", "--help")).isEqualTo(NarrowbertCli.USAGE_ERROR);
    assertThat(err.toString().lines().findFirst()).hasValue("narrowbert: unknown command 'nosuch'");
    assertThat(out.toString()).isEmpty();

    err.getBuffer().setLength(0);
    assertThat(run("--help", "nosuch")).isEqualTo(NarrowbertCli.USAGE_ERROR);
    assertThat(err.toString()).startsWith("narrowbert: unknown command 'nosuch'");
  }

  @Test
  void unmatchedArgumentOfASubcommandWithHelpIsAUsageError() {
    assertThat(run("kafka", "extra", "--help")).isEqualTo(NarrowbertCli.USAGE_ERROR);
    assertThat(err.toString()).startsWith("narrowbert kafka: ").contains("'extra'");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void jobSettingsBeforeHelpStillShowTheJobsHelp() {
    assertThat(run("job", "--checkpoint-interval", "1 s", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: narrowbert job", "Settings (--key value):");
  }

  @Test
  void jobHelpShowsEverySettingsKeyDefaultAndDescription() {
    assertThat(run("job", "--help")).isZero();
    for (ConfigOption<?> option : JobOptions.ALL) {
      assertThat(out.toString()).contains("--" + option.key());
    }
    assertThat(out.toString())
        .contains(
            "--max-batch-delay=TIME",
            "Default: 100 ms.",
            "--bounded[=true|false]",
            "--kafka.KEY=VALUE");
  }

  @Test
  void jobRejectsAValueOfTheWrongTypeAsAUsageErrorNamingTheSetting() {
    assertThat(run("job", "--bootstrap-servers", "k:1", "--max-batch-size", "many"))
        .isEqualTo(NarrowbertCli.USAGE_ERROR);
    assertThat(err.toString())
        .startsWith("narrowbert job: Invalid value for option '--max-batch-size'")
        .contains("max-batch-size must be a whole number, got 'many'");
  }

  @Test
  void jobCommandLineReachesTheSettingsTypedAndOverridesTheConfigFile(@TempDir Path dir)
      throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("job.properties"),
            "max-batch-size=8\nkafka.client.id=from-file\nmodel="
                + TestModels.tiny().toString().replace("\\", "\\\\")
                + "\n");
    CommandLine job = new CommandLine(new JobCommand());
    JobCommand.addSettingOptions(job);
    job.parseArgs(
        "--config",
        file.toString(),
        "--bootstrap-servers",
        "k:1",
        "--max-batch-size",
        "16",
        "--max-batch-delay",
        "250 ms",
        "--bounded",
        "--kafka.security.protocol",
        "SSL",
        "--entity-gate",
        "false");

    JobSettings settings = job.<JobCommand>getCommand().settings();

    assertThat(settings.maxBatchSize()).isEqualTo(16);
    assertThat(settings.maxBatchDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.bounded()).isTrue();
    assertThat(settings.entityGate()).isFalse();
    assertThat(settings.modelDirectory()).isEqualTo(TestModels.tiny());
    assertThat(settings.kafkaClientProperties())
        .containsEntry("security.protocol", "SSL")
        .containsEntry("client.id", "from-file");
  }

  @Test
  void evalNeedsNoModelOption() {
    assertThat(run("eval", "--help")).isZero();
    // picocli wraps the help to its column widths: compare with the line breaks as spaces.
    assertThat(out.toString().replaceAll("\\s+", " "))
        .contains("[--model=DIR]", "default: the shipped models/default");
  }

  @Test
  void unknownOptionOfASubcommandExitsTwo() {
    assertThat(run("kafka", "--prot", "1")).isEqualTo(NarrowbertCli.USAGE_ERROR);
    assertThat(err.toString()).startsWith("narrowbert kafka: Unknown option").contains("'--prot'");
    assertThat(err.toString()).contains("Usage: narrowbert kafka");
  }

  @Test
  void noCommandIsAUsageError() {
    assertThat(run()).isEqualTo(NarrowbertCli.USAGE_ERROR);
    assertThat(err.toString()).startsWith("narrowbert: no command given");
  }

  @Test
  void badOptionValuesAreUsageErrorsNamingTheOption() {
    assertThat(run("kafka", "--port", "70000")).isEqualTo(NarrowbertCli.USAGE_ERROR);
    assertThat(err.toString())
        .startsWith("narrowbert kafka: --port must be in 0..65535, got 70000");

    err.getBuffer().setLength(0);
    assertThat(run("kafka", "--port", "0", "--topic", "reviews:zero"))
        .isEqualTo(NarrowbertCli.USAGE_ERROR);
    assertThat(err.toString())
        .startsWith("narrowbert kafka: --topic reviews:zero: PARTITIONS must be");
  }

  @Test
  void failureWhileRunningPrintsOneLineNamingTheProblemAndExitsOne(@TempDir Path dir)
      throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file.txt"), "not a directory");

    int status = run("kafka", "--port", "0", "--data-dir", notADirectory.toString());

    assertThat(status).isEqualTo(NarrowbertCli.FAILURE);
    assertThat(err.toString().lines().toList())
        .hasSize(1)
        .first()
        .asString()
        .startsWith("narrowbert kafka: ")
        .contains(notADirectory.toString());
  }

  @Test
  void versionIsTheProjectVersion() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("narrowbert 0.");
  }
}
