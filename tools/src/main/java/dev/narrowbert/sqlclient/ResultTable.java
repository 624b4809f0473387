package dev.narrowbert.sqlclient;

import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.StringJoiner;
import org.apache.flink.types.Row;

/**
 * Query results as a text table, like the Flink SQL client's tableau mode: a header of column
 * names, one line per row, cells cut to a maximum width, numbers right-aligned, {@code NULL} for
 * null, {@code [a, b]} for arrays and {@code (a, b)} for rows. Widths fit the data, so the rows are
 * printed when the query has ended.
 */
public final class ResultTable {
  private final List<String> columns;
  private final int maxWidth;

  /**
   * @param maxWidth longer cells end in {@code ...}
   */
  public ResultTable(List<String> columns, int maxWidth) {
    this.columns = List.copyOf(columns);
    this.maxWidth = maxWidth;
  }

  /**
   * Prints up to {@code maxRows} rows (all when negative) and a footer line with their count.
   *
   * @return rows printed
   */
  public int print(Iterator<Row> rows, long maxRows, PrintWriter out) {
    List<String[]> cells = new ArrayList<>();
    List<boolean[]> numeric = new ArrayList<>();
    while ((maxRows < 0 || cells.size() < maxRows) && rows.hasNext()) {
      Row row = rows.next();
      String[] line = new String[columns.size()];
      boolean[] right = new boolean[columns.size()];
      for (int c = 0; c < line.length; c++) {
        Object value = row.getField(c);
        line[c] = cut(format(value));
        right[c] = value instanceof Number;
      }
      cells.add(line);
      numeric.add(right);
    }
    int[] widths = new int[columns.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = cut(columns.get(c)).length();
      for (String[] line : cells) {
        widths[c] = Math.max(widths[c], line[c].length());
      }
    }
    String border = border(widths);
    out.println(border);
    out.println(line(columns.stream().map(this::cut).toArray(String[]::new), null, widths));
    out.println(border);
    for (int r = 0; r < cells.size(); r++) {
      out.println(line(cells.get(r), numeric.get(r), widths));
    }
    if (!cells.isEmpty()) {
      out.println(border);
    }
    out.println(cells.size() == 1 ? "1 row" : cells.size() + " rows");
    out.flush();
    return cells.size();
  }

  /** A value as the SQL client shows it. */
  static String format(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof Row row) {
      StringJoiner fields = new StringJoiner(", ", "(", ")");
      for (int i = 0; i < row.getArity(); i++) {
        fields.add(format(row.getField(i)));
      }
      return fields.toString();
    }
    if (value.getClass().isArray()) {
      StringJoiner elements = new StringJoiner(", ", "[", "]");
      for (int i = 0; i < Array.getLength(value); i++) {
        elements.add(format(Array.get(value, i)));
      }
      return elements.toString();
    }
    return value.toString();
  }

  private String cut(String cell) {
    String oneLine = cell.replace('\n', ' ').replace('\r', ' ');
    return oneLine.length() <= maxWidth
        ? oneLine
        : oneLine.substring(0, Math.max(0, maxWidth - 3)) + "...";
  }

  private static String border(int[] widths) {
    StringBuilder line = new StringBuilder("+");
    for (int width : widths) {
      line.append("-".repeat(width + 2)).append('+');
    }
    return line.toString();
  }

  private static String line(String[] cells, boolean[] right, int[] widths) {
    StringBuilder line = new StringBuilder("|");
    for (int c = 0; c < cells.length; c++) {
      String padding = " ".repeat(widths[c] - cells[c].length());
      boolean alignRight = right != null && right[c];
      line.append(' ').append(alignRight ? padding + cells[c] : cells[c] + padding).append(" |");
    }
    return line.toString();
  }
}
