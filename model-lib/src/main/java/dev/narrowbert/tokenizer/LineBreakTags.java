package dev.narrowbert.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Review datasets (e.g. IMDB) contain HTML line breaks. They are blanked out before tokenising by
 * replacing every character of each {@code <br>}, {@code <br/>} or {@code <br />} with a space: the
 * tokens are those of a single space, and offsets still index into the original text.
 */
public final class LineBreakTags {

  private static final Pattern LINE_BREAK = Pattern.compile("<br\\s*/?>", Pattern.CASE_INSENSITIVE);

  private LineBreakTags() {}

  /** Same length as {@code text}, with every line-break tag turned into spaces. */
  public static String blankOut(String text) {
    Matcher matcher = LINE_BREAK.matcher(text);
    if (!matcher.find()) {
      return text;
    }
    char[] chars = text.toCharArray();
    do {
      java.util.Arrays.fill(chars, matcher.start(), matcher.end(), ' ');
    } while (matcher.find());
    return new String(chars);
  }
}
