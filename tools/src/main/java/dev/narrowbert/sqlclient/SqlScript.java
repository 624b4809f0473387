package dev.narrowbert.sqlclient;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL script as the Flink SQL client's {@code -f} reads one: statements end with {@code ;}
 * outside quotes ({@code '...'}, {@code "..."}, {@code `...`}) and comments ({@code --} to the end
 * of the line, {@code /* ... *}{@code /}); {@code EXECUTE STATEMENT SET BEGIN ... END;} is one
 * statement. {@code ${name}} is replaced by a variable's value before splitting.
 */
public final class SqlScript {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

  private SqlScript() {}

  /**
   * The statements of {@code script}, trimmed, without the final {@code ;}; comments stay in.
   *
   * @throws IllegalArgumentException for a {@code ${name}} without a value, or an unclosed quote or
   *     comment
   */
  public static List<String> statements(String script, Map<String, String> variables) {
    String text = substitute(script, variables);
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int line = 1;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        int end = closingQuote(text, i, c, line);
        current.append(text, i, end + 1);
        line += count(text, i, end, '\n');
        i = end + 1;
      } else if (text.startsWith("--", i)) {
        int end = text.indexOf('\n', i);
        end = end < 0 ? text.length() : end;
        current.append(text, i, end);
        i = end;
      } else if (text.startsWith("/*", i)) {
        int end = text.indexOf("*/", i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("line " + line + ": comment /* is never closed");
        }
        current.append(text, i, end + 2);
        line += count(text, i, end, '\n');
        i = end + 2;
      } else if (c == ';' && !insideStatementSet(current)) {
        add(statements, current);
        current.setLength(0);
        i++;
      } else {
        line += c == '\n' ? 1 : 0;
        current.append(c);
        i++;
      }
    }
    add(statements, current);
    return statements;
  }

  /** The first keyword of a statement, upper case, after any comments. */
  public static String firstKeyword(String statement) {
    String code = withoutComments(statement).strip();
    Matcher word = Pattern.compile("^[A-Za-z]+").matcher(code);
    return word.find() ? word.group().toUpperCase(Locale.ROOT) : "";
  }

  private static String substitute(String script, Map<String, String> variables) {
    Matcher matcher = VARIABLE.matcher(script);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = variables.get(matcher.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            "${"
                + matcher.group(1)
                + "} has no value; give it with --var "
                + matcher.group(1)
                + "=VALUE"
                + (matcher.group(1).equals("bootstrap-servers") ? " or --embedded-kafka" : ""));
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  /** Inside {@code EXECUTE STATEMENT SET BEGIN ...} until its {@code END}. */
  private static boolean insideStatementSet(CharSequence statement) {
    String code = withoutComments(statement.toString()).strip().toUpperCase(Locale.ROOT);
    return code.matches("(?s)EXECUTE\\s+STATEMENT\\s+SET\\s+BEGIN\\b.*")
        && !code.matches("(?s).*\\bEND\\s*");
  }

  /** The statement with its comments blanked out (a {@code --} inside quotes counts too). */
  static String withoutComments(String statement) {
    return statement.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\\n]*", " ");
  }

  private static int closingQuote(String text, int open, char quote, int line) {
    int i = open + 1;
    while (i < text.length()) {
      if (text.charAt(i) == quote) {
        if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
          i += 2; // '' inside '...' is one quote
          continue;
        }
        return i;
      }
      i++;
    }
    throw new IllegalArgumentException("line " + line + ": " + quote + " is never closed");
  }

  private static int count(String text, int from, int to, char c) {
    int n = 0;
    for (int i = from; i < to; i++) {
      n += text.charAt(i) == c ? 1 : 0;
    }
    return n;
  }

  private static void add(List<String> statements, StringBuilder current) {
    String statement = current.toString().strip();
    if (!withoutComments(statement).isBlank()) {
      statements.add(statement);
    }
  }
}
