package dev.narrowbert.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Streams a plain-text corpus with one document per line. Blank lines are ignored; a line holding
 * NUL or other control characters (other than TAB) is reported as bad, which makes a binary file
 * fail fast as "mostly unreadable".
 */
public final class PlainTextLines {

  private PlainTextLines() {}

  /** Calls {@code sink} for every document, HTML line breaks replaced by spaces. */
  public static BadLineReport read(Path file, Consumer<String> sink) throws IOException {
    BadLineReport report = new BadLineReport(file);
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      long number = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        if (hasControlCharacters(line)) {
          report.bad(number, "binary content (control characters)");
        } else {
          report.good();
          sink.accept(LineBreaks.toSpaces(line));
        }
      }
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IOException(file + " is not UTF-8 text", e);
    }
    report.finish();
    return report;
  }

  private static boolean hasControlCharacters(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 0x20 && c != '\t') {
        return true;
      }
    }
    return false;
  }
}
