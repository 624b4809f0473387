package dev.narrowbert.data;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
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
    try {
      return LineRecords.read(
          file,
          line -> {
            if (hasControlCharacters(line)) {
              throw new IllegalArgumentException("binary content (control characters)");
            }
            return LineBreaks.toSpaces(line);
          },
          sink);
    } catch (MalformedInputException e) {
      throw new IOException(file + " is not UTF-8 text", e);
    }
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
