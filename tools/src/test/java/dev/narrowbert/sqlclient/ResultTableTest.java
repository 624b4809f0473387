package dev.narrowbert.sqlclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

class ResultTableTest {

  @Test
  void printsAlignedRowsWithNullsArraysRowsAndACount() {
    StringWriter text = new StringWriter();
    List<Row> rows =
        List.of(
            Row.of("r1", 0.5f, new Row[] {Row.of("Paris", "LOC")}), Row.of("r2", null, new Row[0]));

    int printed =
        new ResultTable(List.of("id", "p", "entities"), 30)
            .print(rows.iterator(), -1, new PrintWriter(text));

    assertThat(printed).isEqualTo(2);
    assertThat(text.toString().lines())
        .containsExactly(
            "+----+------+----------------+",
            "| id | p    | entities       |",
            "+----+------+----------------+",
            "| r1 |  0.5 | [(Paris, LOC)] |",
            "| r2 | NULL | []             |",
            "+----+------+----------------+",
            "2 rows");
  }

  @Test
  void cutsLongCellsAndStopsAtMaxRows() {
    StringWriter text = new StringWriter();
    List<Row> rows = List.of(Row.of("a".repeat(20)), Row.of("b"), Row.of("c"));

    int printed = new ResultTable(List.of("t"), 8).print(rows.iterator(), 2, new PrintWriter(text));

    assertThat(printed).isEqualTo(2);
    assertThat(text.toString().lines()).contains("| aaaaa... |", "| b        |", "2 rows");
    assertThat(text.toString()).doesNotContain("| c");
  }
}
