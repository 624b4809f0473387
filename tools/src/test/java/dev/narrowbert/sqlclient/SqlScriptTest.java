package dev.narrowbert.sqlclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

  @Test
  void splitsAtSemicolonsOutsideQuotesAndComments() {
    String script =
        """
        -- a comment; not a statement end
        CREATE TABLE t (a STRING) WITH ('connector' = 'datagen; really');
        /* block; comment */ INSERT INTO t VALUES ('it''s; fine'), ("x;y");
        SELECT `we;ird` FROM t
        """;

    assertThat(SqlScript.statements(script, Map.of()))
        .containsExactly(
            "-- a comment; not a statement end\n"
                + "CREATE TABLE t (a STRING) WITH ('connector' = 'datagen; really')",
            "/* block; comment */ INSERT INTO t VALUES ('it''s; fine'), (\"x;y\")",
            "SELECT `we;ird` FROM t");
  }

  @Test
  void keepsAStatementSetTogether() {
    String script =
        "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END;"
            + " SELECT 3;";

    assertThat(SqlScript.statements(script, Map.of()))
        .containsExactly(
            "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END",
            "SELECT 3");
  }

  @Test
  void replacesVariablesAndNamesAMissingOne() {
    assertThat(
            SqlScript.statements(
                "SELECT '${bootstrap-servers}';", Map.of("bootstrap-servers", "host:9092")))
        .containsExactly("SELECT 'host:9092'");
    assertThatThrownBy(() -> SqlScript.statements("SELECT '${topic}';", Map.of()))
        .hasMessageContaining("${topic} has no value")
        .hasMessageContaining("--var topic=VALUE");
  }

  @Test
  void dropsEmptyStatementsAndNamesAnUnclosedQuote() {
    assertThat(SqlScript.statements(";; -- only a comment\n;", Map.of())).isEmpty();
    assertThatThrownBy(() -> SqlScript.statements("SELECT 1;\nSELECT 'open;", Map.of()))
        .hasMessage("line 2: ' is never closed");
  }

  @Test
  void findsTheFirstKeywordAfterComments() {
    assertThat(SqlScript.firstKeyword("-- x\n /* y */ insert into t values (1)"))
        .isEqualTo("INSERT");
  }
}
