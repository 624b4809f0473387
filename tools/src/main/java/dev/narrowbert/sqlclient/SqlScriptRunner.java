package dev.narrowbert.sqlclient;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs the statements of a {@link SqlScript} one after the other in one local Flink SQL session
 * (streaming mode, as {@code ML_PREDICT} needs), like {@code sql-client.sh -f}: results of queries
 * and {@code SHOW}/{@code DESCRIBE} go to {@code out} as {@link ResultTable}s, a line per other
 * statement to {@code err}. {@code INSERT}s finish before the next statement starts ({@code
 * table.dml-sync}), so a later query sees what they wrote. The first failing statement stops the
 * script.
 */
public final class SqlScriptRunner {

  /**
   * Rows in flight per {@code ML_PREDICT} subtask unless the script sets it: twice the model's
   * default batch size, so that batches can fill (Flink's own default is 10).
   */
  public static final int ML_PREDICT_IN_FLIGHT = 128;

  private static final Pattern SET =
      Pattern.compile("(?is)SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'");
  private static final Pattern RESET = Pattern.compile("(?is)RESET\\s+'((?:[^']|'')*)'");

  private final TableEnvironment session;
  private final PrintWriter out;
  private final PrintWriter err;
  private final long maxRows;

  /**
   * @param settings session settings ({@code SET} in the script can change them)
   * @param maxRows print at most this many rows of a query and then cancel it (-1: until it ends)
   */
  public SqlScriptRunner(
      Map<String, String> settings, long maxRows, PrintWriter out, PrintWriter err) {
    Configuration configuration = new Configuration();
    configuration.set(TableConfigOptions.TABLE_DML_SYNC, true);
    configuration.set(
        ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS,
        ML_PREDICT_IN_FLIGHT);
    settings.forEach(configuration::setString);
    this.session =
        TableEnvironment.create(
            EnvironmentSettings.newInstance()
                .inStreamingMode()
                .withConfiguration(configuration)
                .build());
    this.maxRows = maxRows;
    this.out = out;
    this.err = err;
  }

  /**
   * Runs every statement.
   *
   * @throws IllegalStateException naming the statement that failed and why
   */
  public void run(List<String> statements) {
    for (int i = 0; i < statements.size(); i++) {
      String statement = statements.get(i);
      try {
        run(statement);
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "statement " + (i + 1) + " (" + summary(statement) + "): " + reason(e), e);
      }
    }
  }

  private void run(String statement) {
    long started = System.nanoTime();
    String keyword = SqlScript.firstKeyword(statement);
    if (keyword.equals("SET") || keyword.equals("RESET")) {
      setting(statement);
      return;
    }
    TableResult result = session.executeSql(statement);
    if (keyword.equals("INSERT") || keyword.equals("EXECUTE")) {
      String job = result.getJobClient().map(c -> " (job " + c.getJobID() + ")").orElse("");
      err.printf("[INFO] %s finished%s in %s%n", summary(statement), job, since(started));
    } else if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
      ResultTable table = new ResultTable(result.getResolvedSchema().getColumnNames(), maxWidth());
      try (CloseableIterator<Row> rows = result.collect()) {
        table.print(rows, maxRows, out);
      } catch (Exception e) {
        throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
      }
      err.printf("[INFO] %s: query done in %s%n", summary(statement), since(started));
    } else {
      err.printf("[INFO] %s: OK%n", summary(statement));
    }
    err.flush();
  }

  /**
   * {@code SET 'key' = 'value'} and {@code RESET 'key'}, which the SQL client handles itself
   * ({@code TableEnvironment.executeSql} does not take them).
   */
  private void setting(String statement) {
    String code = SqlScript.withoutComments(statement).strip();
    Matcher set = SET.matcher(code);
    Matcher reset = RESET.matcher(code);
    if (set.matches()) {
      String key = unquote(set.group(1));
      session.getConfig().set(key, unquote(set.group(2)));
      err.printf("[INFO] SET '%s': OK%n", key);
    } else if (reset.matches()) {
      String key = unquote(reset.group(1));
      session.getConfig().getConfiguration().removeKey(key);
      err.printf("[INFO] RESET '%s': OK%n", key);
    } else {
      throw new IllegalArgumentException("expected SET 'key' = 'value' or RESET 'key'");
    }
  }

  private static String unquote(String quoted) {
    return quoted.replace("''", "'");
  }

  private int maxWidth() {
    return session.getConfig().get(TableConfigOptions.DISPLAY_MAX_COLUMN_WIDTH);
  }

  /** The statement's first line, cut short. */
  private static String summary(String statement) {
    String code = statement.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\\n]*", " ");
    String oneLine = code.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
  }

  /** The failure's own first line, and its root cause's when that says something else. */
  private static String reason(Throwable failure) {
    String top = firstLine(failure);
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String bottom = firstLine(root);
    return bottom.isEmpty() || top.contains(bottom) ? top : top + " Cause: " + bottom;
  }

  private static String firstLine(Throwable failure) {
    String message = failure.getMessage();
    return message == null ? "" : message.strip().lines().findFirst().orElse("").strip();
  }

  private static String since(long startedNanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - startedNanos) / 1e9);
  }
}
