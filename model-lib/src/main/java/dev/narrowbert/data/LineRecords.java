package dev.narrowbert.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A UTF-8 file with one record per line, read by {@link ReviewJsonLines} and {@link
 * PlainTextLines}: blank lines are skipped, every other line is parsed into a record for the sink
 * or counted in the {@link BadLineReport} with the problem the parser names.
 */
final class LineRecords {

  /** Parses one non-blank line. */
  @FunctionalInterface
  interface Parser<T> {
    /**
     * @throws IllegalArgumentException if the line is not a record; its message names the problem
     */
    T parse(String line);
  }

  private LineRecords() {}

  /**
   * Calls {@code sink} for every line that parses, in file order, reading one line at a time.
   *
   * @return the bad lines seen
   * @throws IOException if the file cannot be read or is mostly bad
   */
  static <T> BadLineReport read(Path file, Parser<T> parser, Consumer<T> sink) throws IOException {
    BadLineReport report = new BadLineReport(file);
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      long number = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        T record;
        try {
          record = parser.parse(line);
        } catch (IllegalArgumentException e) {
          report.bad(number, e.getMessage());
          continue;
        }
        report.good();
        sink.accept(record);
      }
    }
    report.finish();
    return report;
  }
}
