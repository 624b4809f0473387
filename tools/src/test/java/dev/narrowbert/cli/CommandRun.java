package dev.narrowbert.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** Runs a picocli command in-process and keeps its exit code and stdout. */
record CommandRun(int exitCode, String stdout) {

  static CommandRun of(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(command);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    commandLine.setExecutionExceptionHandler(
        (e, cl, parsed) -> {
          throw e;
        });
    int code = commandLine.execute(args);
    return new CommandRun(code, out + err.toString());
  }

  /** The last non-blank stdout line. */
  String lastLine() {
    List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
