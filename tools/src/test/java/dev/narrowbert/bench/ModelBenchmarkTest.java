package dev.narrowbert.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.model.EntityGateSpec;
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
  void measuresTheAnalysisWithEntitiesOfARealModelAsBertUngatedAndGated() throws Exception {
    Path model =
        TinyModelDirectory.create(
            dir.resolve("gated"),
            TinyModelDirectory.config().withEntityGate(new EntityGateSpec(8, 0.5f, 0.5f, 0.99f)));
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      lines.add(
          "{\"id\":\"r"
              + i
              + "\",\"text\":\"tom hanks was great in paris"
              + " , the plot".repeat(i % 3)
              + "\"}");
    }
    Path reviews = Files.write(dir.resolve("reviews.jsonl"), lines);
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
                "16",
                "--vocab",
                "64",
                "--warmup",
                "0",
                "--matmul-size",
                "64",
                "--model",
                model.toString(),
                "--reviews",
                reviews.toString(),
                "--entities-batch-size",
                "4",
                "--out",
                out.toString());

    assertThat(code).isZero();
    JsonNode entities = new ObjectMapper().readTree(out.toFile()).get("entities");
    assertThat(entities.get("variants").fieldNames())
        .toIterable()
        .containsExactly(
            "BERT (same weights)",
            "NarrowBERT, every word a query",
            "NarrowBERT gated",
            "NarrowBERT gated, separate K/V");
    assertThat(entities.get("gated_speedup").asDouble()).isPositive();
    assertThat(entities.get("ungated_speedup").asDouble()).isPositive();
    assertThat(entities.at("/variants/NarrowBERT, every word a query/word_query_share").asDouble())
        .isEqualTo(1.0);
    // A random gate at 0.5 keeps some words out and lets some in.
    assertThat(entities.get("gated_word_query_share").asDouble()).isStrictlyBetween(0.0, 1.0);
    assertThat(entities.get("faster_key_value").asText()).isIn("fused", "separate");
  }

  @Test
  void rejectsAFullLayerCountThatLeavesNothingNarrow() {
    CommandLine command = new CommandLine(new ModelBenchmark());
    command.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));

    int code = command.execute("--layers", "2", "--full-layers", "2", "--out", "x.json");

    assertThat(code).isEqualTo(2);
  }
}
