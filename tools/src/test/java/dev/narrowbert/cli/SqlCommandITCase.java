package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code narrowbert sql} on the shipped examples, as a user runs them (the default model). */
class SqlCommandITCase {
  private static final Path ROOT = Path.of(System.getProperty("narrowbert.root", ".."));

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return NarrowbertCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void printsOneRowPerInlineReviewWithNullsForTheEmptyAndNullText() {
    int status = run("sql", ROOT.resolve("examples/ml_predict_values.sql").toString());

    assertThat(status).as("stderr: %s", err).isZero();
    List<String> rows = out.toString().lines().filter(line -> line.matches("\\| r\\d.*")).toList();
    assertThat(rows).hasSize(7);
    assertThat(rows.get(0))
        .startsWith("| r1        | positive  |")
        .contains("(Emma Stone, PER, 0, 10, ")
        .contains("(Justin Hurwitz, PER, 47, 61, ");
    assertThat(rows.get(1)).startsWith("| r2        | negative  |");
    assertThat(rows.get(5)).matches("\\| r6 +\\| NULL +\\| NULL +\\| NULL +\\|");
    assertThat(rows.get(6)).matches("\\| r7 +\\| NULL +\\| NULL +\\| NULL +\\|");
    assertThat(out.toString()).contains("| review_id | sentiment | sentiment_probability |");
    assertThat(out.toString().lines().toList()).last().isEqualTo("7 rows");
  }

  @Test
  void analysesAKafkaTableOfJsonReviewsOnAnEmbeddedBroker() {
    int status =
        run("sql", "--embedded-kafka", ROOT.resolve("examples/ml_predict_kafka.sql").toString());

    assertThat(status).as("stderr: %s", err).isZero();
    assertThat(err.toString()).contains("INSERT INTO reviews_json VALUES");
    List<String> rows = out.toString().lines().filter(line -> line.matches("\\| k\\d.*")).toList();
    assertThat(rows)
        .hasSize(4)
        .anySatisfy(row -> assertThat(row).startsWith("| k1        |      5 | positive  |"))
        .anySatisfy(row -> assertThat(row).startsWith("| k2        |      1 | negative  |"));
  }

  @Test
  void namesTheFailingStatementInOneLine(@TempDir Path dir) throws Exception {
    Path script =
        Files.writeString(
            dir.resolve("bad.sql"),
            "CREATE TEMPORARY MODEL m INPUT (text STRING) OUTPUT (mood STRING)"
                + " WITH ('provider' = 'narrowbert');\n"
                + "CREATE TEMPORARY VIEW t AS SELECT 'fine' AS text;\n"
                + "SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(text));\n");

    int status = run("sql", script.toString());

    assertThat(status).isEqualTo(NarrowbertCli.FAILURE);
    assertThat(err.toString())
        .contains("narrowbert sql: statement 3 (SELECT * FROM ML_PREDICT(")
        .contains("unknown output column 'mood'");
  }
}
