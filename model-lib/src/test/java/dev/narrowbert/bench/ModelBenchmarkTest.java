package dev.narrowbert.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelBenchmarkTest {

  @TempDir Path dir;

  @Test
  void writesPositiveMeasuredAndAnalyticRatiosForEveryConfigurationAndLength() throws Exception {
    Path out = dir.resolve("model.json");

    int code =
        new CommandLine(new ModelBenchmark())
            .execute(
                "--quick",
                "--hidden",
                "16",
                "--heads",
                "2",
                "--layers",
                "3",
                "--seq-lens",
                "16,24",
                "--vocab",
                "64",
                "--warmup",
                "0",
                "--matmul-size",
                "64",
                "--out",
                out.toString());

    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertThat(json.at("/pretraining/speedup").asDouble()).isPositive();
    assertThat(json.at("/inference/speedup").asDouble()).isPositive();
    assertThat(json.at("/peak_matmul/median").asDouble()).isPositive();
    assertThat(json.at("/efficiency/seq24/fraction_of_peak").asDouble()).isPositive();
    for (String length : List.of("seq16", "seq24")) {
      assertThat(json.get("pretraining").get(length).fieldNames())
          .toIterable()
          .containsExactly("BERT", "SparseQueries k=2", "ContextFirst");
      assertThat(json.get("inference").get(length).fieldNames())
          .toIterable()
          .containsExactly(
              "BERT", "SparseQueries k=2", "SparseQueries k=2 unfused K/V", "ContextFirst");
      for (JsonNode detail : json.get("inference").get(length)) {
        assertThat(detail.get("median").asDouble()).isPositive();
        assertThat(detail.get("rounds")).hasSize(2);
        assertThat(detail.get("min").asDouble()).isLessThanOrEqualTo(detail.get("max").asDouble());
      }
    }
    JsonNode sparse = json.at("/pretraining/seq24/SparseQueries k=2");
    assertThat(sparse.get("analytic_speedup").asDouble()).isGreaterThan(1.0);
    assertThat(json.at("/pretraining/speedup").asDouble())
        .isEqualTo(sparse.get("measured_speedup").asDouble());
    assertThat(dir.resolve("model.md")).content().contains("analytic FLOP ratio");
    assertThat(Files.size(dir.resolve("model.png"))).isPositive();
  }

  @Test
  void rejectsAFullLayerCountThatLeavesNothingNarrow() {
    CommandLine command = new CommandLine(new ModelBenchmark());
    command.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));

    int code = command.execute("--layers", "2", "--full-layers", "2", "--out", "x.json");

    assertThat(code).isEqualTo(2);
  }
}
