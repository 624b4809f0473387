package dev.narrowbert.job;

import org.apache.flink.configuration.ConfigOption;

/**
 * The README's table of job settings, rendered from {@link JobOptions}, so that the documentation
 * is generated from the declarations rather than written beside them. {@code JobOptionsTableTest}
 * fails, showing this table, when the README's copy between {@link #BEGIN} and {@link #END}
 * differs.
 */
public final class JobOptionsTable {

  /** The line before the table in README.md. */
  public static final String BEGIN =
      "<!-- job settings: generated from JobOptions by JobOptionsTable; do not edit -->";

  /** The line after the table in README.md. */
  public static final String END = "<!-- end of job settings -->";

  private JobOptionsTable() {}

  /** One row per option, in declaration order, then the {@code kafka.*} pass-through. */
  public static String markdown() {
    StringBuilder table = new StringBuilder("| key | default | what it does |\n|---|---|---|\n");
    for (ConfigOption<?> option : JobOptions.ALL) {
      row(
          table,
          option.key(),
          JobOptions.defaultText(option).map(value -> "`" + value + "`").orElse("required"),
          JobOptions.description(option));
    }
    row(table, JobOptions.KAFKA_PREFIX + "*", "", JobOptions.KAFKA_DESCRIPTION);
    return table.toString();
  }

  private static void row(StringBuilder table, String key, String defaultValue, String text) {
    table
        .append("| `")
        .append(key)
        .append("` | ")
        .append(defaultValue)
        .append(" | ")
        .append(text.replace("|", "\\|"))
        .append(" |\n");
  }
}
