package dev.narrowbert.data;

import java.util.regex.Pattern;

/**
 * Replaces HTML line breaks ({@code <br>}, {@code <br/>}, {@code <br />}) with a space, as the IMDB
 * data README asks. The tokenizer's own {@code LineBreakTags} keeps offsets instead; readers only
 * need the text.
 */
final class LineBreaks {

  private static final Pattern LINE_BREAK = Pattern.compile("<br\\s*/?>", Pattern.CASE_INSENSITIVE);

  private LineBreaks() {}

  static String toSpaces(String text) {
    return text.indexOf('<') < 0 ? text : LINE_BREAK.matcher(text).replaceAll(" ");
  }
}
