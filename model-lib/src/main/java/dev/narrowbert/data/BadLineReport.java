package dev.narrowbert.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts the lines of one data file that could not be used, with their line numbers and reasons, so
 * no reader drops input silently. A file that is mostly bad (more than half of its first {@value
 * #WINDOW} lines) is almost certainly the wrong file or format: reading stops with an {@link
 * IOException} that names the file instead of training on the few lines that happened to parse.
 */
public final class BadLineReport {

  /** Lines at the start of a file that decide whether it is "mostly bad". */
  public static final int WINDOW = 1000;

  /** How many bad lines are quoted in {@link #summary()}. */
  static final int QUOTED = 5;

  private final Path file;
  private long lines;
  private long bad;
  private long badInWindow;
  private final List<String> quoted = new ArrayList<>();

  public BadLineReport(Path file) {
    this.file = file;
  }

  /** Records a usable line. */
  public void good() throws IOException {
    lines++;
    checkWindow();
  }

  /** Records an unusable line. */
  public void bad(long lineNumber, String reason) throws IOException {
    lines++;
    bad++;
    if (lineNumber <= WINDOW) {
      badInWindow++;
    }
    if (quoted.size() < QUOTED) {
      quoted.add("line " + lineNumber + ": " + reason);
    }
    checkWindow();
  }

  /** Call at end of file: a short file is judged on all of its lines. */
  public void finish() throws IOException {
    if (lines < WINDOW) {
      judge(lines);
    }
  }

  private void checkWindow() throws IOException {
    if (lines == WINDOW) {
      judge(WINDOW);
    }
  }

  private void judge(long window) throws IOException {
    if (window > 0 && badInWindow * 2 > window) {
      throw new IOException(
          file
              + " is mostly unreadable: "
              + badInWindow
              + " of its first "
              + window
              + " lines are bad ("
              + String.join("; ", quoted)
              + ")");
    }
  }

  public Path file() {
    return file;
  }

  /** Non-blank lines seen. */
  public long lines() {
    return lines;
  }

  public long badLines() {
    return bad;
  }

  /** The first few bad lines with their numbers and reasons. */
  public List<String> quotedBadLines() {
    return List.copyOf(quoted);
  }

  /** One line for stderr, e.g. {@code train.jsonl: 2 of 1000 lines skipped (line 7: ...)}. */
  public String summary() {
    String head = file + ": " + bad + " of " + lines + " lines skipped";
    return quoted.isEmpty()
        ? head
        : head + " (" + String.join("; ", quoted) + (bad > quoted.size() ? "; ..." : "") + ")";
  }
}
