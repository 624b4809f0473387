package dev.narrowbert.cli;

import dev.narrowbert.data.BadLineReport;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The labelled file that {@code narrowbert eval} scores, as the user sees it on stderr: a progress
 * bar while it is read, and its skipped lines afterwards.
 */
record EvalFile(Path data) {

  /** Examples done, rate and ETA on stderr; the total is the file's line count. */
  ProgressBar progress(String unit) throws IOException {
    long lines = 0; // counted as bytes: a file with invalid UTF-8 is reported by the reader
    try (InputStream in = new BufferedInputStream(Files.newInputStream(data))) {
      for (int b; (b = in.read()) != -1; ) {
        lines += b == '\n' ? 1 : 0;
      }
    }
    return progress("eval", unit.equals("reviews") ? lines : -1, unit);
  }

  /** A progress bar on stderr for {@code max} items (-1: unknown), with rate and ETA. */
  static ProgressBar progress(String taskName, long max, String unit) {
    return new ProgressBarBuilder()
        .setTaskName(taskName)
        .setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(System.err, 100))
        .setUpdateIntervalMillis(2000)
        .showSpeed()
        .setUnit(" " + unit, 1)
        .build();
  }

  /** Prints the reader's summary of bad lines, if any, and {@code extra} if not null. */
  void warn(BadLineReport report, String extra) {
    if (report.badLines() > 0) {
      System.err.println(report.summary());
    }
    if (extra != null) {
      System.err.println(data + ": " + extra);
    }
  }
}
