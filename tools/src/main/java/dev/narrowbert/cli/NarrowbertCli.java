package dev.narrowbert.cli;

import dev.narrowbert.soak.MemorySoak;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code narrowbert} command line: one entry point that dispatches to a subcommand.
 *
 * <p>Conventions every subcommand gets from here: {@code --help} on each; a wrong command or option
 * prints one line naming the problem, then the usage, and exits 2; a failure while running prints
 * one line {@code narrowbert <command>: <reason>} and exits 1 (set {@code NARROWBERT_DEBUG=1} for
 * the stack trace). Subcommands report bad input by throwing with a message a user can act on.
 */
@Command(
    name = "narrowbert",
    mixinStandardHelpOptions = true,
    versionProvider = NarrowbertCli.Version.class,
    description = "Real-time review classification with NarrowBERT on Flink and Kafka.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      DemoCommand.class,
      KafkaCommand.class,
      ProduceCommand.class,
      JobCommand.class,
      SqlCommand.class,
      AnalyzeCommand.class,
      PretrainCommand.class,
      DistillCommand.class,
      FineTuneCommand.class,
      EvalCommand.class,
      InitModelCommand.class,
      ImportCommand.class,
      ConvertCommand.class,
      EntityGateCommand.class,
      BenchCommand.class,
      MemorySoak.class
    },
    footer = {"", "Run 'narrowbert COMMAND --help' for the options of a command."})
public final class NarrowbertCli implements Runnable {

  /** Exit status for a wrong command line. */
  public static final int USAGE_ERROR = 2;

  /** Exit status for a command that failed while running. */
  public static final int FAILURE = 1;

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line and returns its exit status; never calls System.exit. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new NarrowbertCli());
    JobCommand.addSettingOptions(cli.getSubcommands().get("job"));
    SqlCommand.describeModelOptions(cli.getSubcommands().get("sql"));
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (exception, arguments) -> {
          CommandLine command = exception.getCommandLine();
          err.println(commandPath(command) + ": " + problem(exception));
          command.usage(err);
          return USAGE_ERROR;
        });
    cli.setExecutionStrategy(NarrowbertCli::rejectUnmatchedThenRun);
    cli.setExecutionExceptionHandler(
        (exception, command, parseResult) -> {
          err.println(commandPath(command) + ": " + oneLine(exception));
          if (System.getenv("NARROWBERT_DEBUG") != null) {
            exception.printStackTrace(err);
          }
          err.flush();
          return FAILURE;
        });
    return cli.execute(args);
  }

  /** Without a command: the usage, as an error. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "no command given");
  }

  /**
   * Picocli skips its check for unmatched arguments once {@code --help} or {@code --version} is
   * given, so {@code narrowbert nosuch --help} would print the top-level help and exit 0. A command
   * line that is wrong stays wrong whatever else it asks for. Commands that collect unmatched
   * arguments themselves ({@code job}'s settings) are left alone.
   */
  private static int rejectUnmatchedThenRun(ParseResult parseResult) {
    for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
      if (!level.unmatched().isEmpty()
          && !level.commandSpec().parser().unmatchedArgumentsAllowed()) {
        throw new UnmatchedArgumentException(level.commandSpec().commandLine(), level.unmatched());
      }
    }
    return new CommandLine.RunLast().execute(parseResult);
  }

  /**
   * The exception's message, except that a word where the command belongs is an unknown command.
   */
  private static String problem(CommandLine.ParameterException exception) {
    if (exception instanceof UnmatchedArgumentException unmatched
        && exception.getCommandLine().getParent() == null
        && !unmatched.getUnmatched().isEmpty()
        && !unmatched.getUnmatched().get(0).startsWith("-")) {
      return "unknown command '" + unmatched.getUnmatched().get(0) + "'";
    }
    return exception.getMessage();
  }

  private static String commandPath(CommandLine command) {
    StringBuilder path = new StringBuilder(command.getCommandName());
    for (CommandLine parent = command.getParent(); parent != null; parent = parent.getParent()) {
      path.insert(0, parent.getCommandName() + " ");
    }
    return path.toString();
  }

  /** The most useful single line about a failure: its own message, else its cause's. */
  static String oneLine(Throwable failure) {
    Throwable current = failure;
    while (current != null) {
      String message = current.getMessage();
      if (message != null && !message.isBlank()) {
        return message.lines().findFirst().orElse(message).strip();
      }
      current = current.getCause();
    }
    return failure.getClass().getSimpleName();
  }

  /** The project version, filtered into a resource at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = NarrowbertCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"narrowbert " + properties.getProperty("version", "(unknown version)")};
    }
  }
}
