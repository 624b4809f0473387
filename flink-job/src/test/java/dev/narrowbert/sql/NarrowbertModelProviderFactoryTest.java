package dev.narrowbert.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.narrowbert.checkpoint.DefaultModel;
import java.nio.file.Path;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the planner says about a {@code narrowbert} model when it plans a query (nothing runs): a
 * wrong column or option fails the statement with a message that names it.
 */
class NarrowbertModelProviderFactoryTest {
  private static final Path MODEL =
      Path.of(System.getProperty("narrowbert.root", "..")).resolve(DefaultModel.RELATIVE_PATH);

  private TableEnvironment sql;

  @BeforeEach
  void createSession() {
    sql = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    sql.executeSql(
        "CREATE TEMPORARY VIEW reviews AS SELECT * FROM (VALUES (1, 'good')) AS t (id, text)");
  }

  @Test
  void plansAsAnAsynchronousPrediction() {
    model("INPUT (text STRING) OUTPUT (sentiment STRING)", "");

    assertThat(sql.explainSql(predict("text", ""))).contains("MLPredictTableFunction");
  }

  @Test
  void namesTheColumnsItCanFillWhenAColumnIsUnknown() {
    model("INPUT (text STRING) OUTPUT (sentiment STRING, mood STRING)", "");

    planFails()
        .hasRootCauseMessage(
            "narrowbert model: unknown output column 'mood'; the model can fill sentiment STRING,"
                + " sentiment_probability FLOAT, entities ARRAY<ROW<`text` STRING, `type` STRING,"
                + " `start` INT, `end` INT, score FLOAT>>, embedding ARRAY<FLOAT>, tokens INT,"
                + " truncated BOOLEAN");
  }

  @Test
  void refusesWrongTypesNotNullOutputsAndAnInputThatIsNotOneText() {
    model("INPUT (text STRING) OUTPUT (sentiment INT)", "");
    planFails().rootCause().hasMessageContaining("'sentiment' must be STRING, got INT");

    model("INPUT (text STRING) OUTPUT (entities ARRAY<ROW<`begin` INT>>)", "");
    planFails().rootCause().hasMessageContaining("'entities' must be ARRAY<ROW<`text` STRING");

    model("INPUT (text STRING) OUTPUT (sentiment STRING NOT NULL)", "");
    planFails().rootCause().hasMessageContaining("'sentiment' must be nullable");

    model("INPUT (text INT) OUTPUT (sentiment STRING)", "");
    assertThatThrownBy(() -> sql.explainSql(predict("id", "")))
        .rootCause()
        .hasMessageContaining(
            "INPUT must be one text column, e.g. INPUT (text STRING); got (`text` INT)");
  }

  @Test
  void refusesUnknownOptionsAMissingModelAndSynchronousMode() {
    model("INPUT (text STRING) OUTPUT (sentiment STRING)", ", 'batch-size' = '8'");
    planFails()
        .rootCause()
        .hasMessageContaining("Unsupported options")
        .hasMessageContaining("batch-size");

    model("INPUT (text STRING) OUTPUT (sentiment STRING)", "'model' = '/no/such/model'", "");
    planFails().rootCause().hasMessageContaining("'model' directory /no/such/model does not exist");

    model("INPUT (text STRING) OUTPUT (sentiment STRING)", "");
    assertThatThrownBy(() -> sql.explainSql(predict("text", ", MAP['async', 'false']")))
        .hasMessageContaining("doesn't support sync mode");
  }

  private void model(String columns, String moreOptions) {
    model(columns, "'model' = '" + MODEL + "'", moreOptions);
  }

  private void model(String columns, String modelOption, String moreOptions) {
    sql.executeSql("DROP TEMPORARY MODEL IF EXISTS m");
    sql.executeSql(
        "CREATE TEMPORARY MODEL m "
            + columns
            + " WITH ('provider' = 'narrowbert', "
            + modelOption
            + moreOptions
            + ")");
  }

  private static String predict(String column, String config) {
    return "SELECT * FROM ML_PREDICT(TABLE reviews, MODEL m, DESCRIPTOR("
        + column
        + ")"
        + config
        + ")";
  }

  private AbstractThrowableAssert<?, ? extends Throwable> planFails() {
    return assertThatThrownBy(() -> sql.explainSql(predict("text", "")));
  }
}
