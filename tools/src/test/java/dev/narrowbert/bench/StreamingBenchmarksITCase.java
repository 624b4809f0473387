package dev.narrowbert.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.job.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs the batching and pipeline suites at {@code --quick} size on a tiny random model and checks
 * the JSON they write: every headline key present and a positive measured number.
 */
class StreamingBenchmarksITCase {

  @TempDir Path dir;

  @Test
  void batchingSuiteReportsSpeedupPaddingAndLatencies() throws Exception {
    Path out = dir.resolve("batching.json");

    int code = run(new BatchingBenchmark(), out);

    assertThat(code).isZero();
    JsonNode batching = new ObjectMapper().readTree(out.toFile()).get("batching");
    assertThat(batching.get("speedup").asDouble()).isPositive();
    assertThat(batching.get("padding_ratio").asDouble()).isBetween(0.0, 1.0);
    assertThat(batching.get("fifo_padding_ratio").asDouble()).isBetween(0.0, 1.0);
    assertThat(batching.get("p99_latency_ms").asLong())
        .isGreaterThanOrEqualTo(batching.get("p50_latency_ms").asLong());
    assertThat(batching.at("/reviews_per_second_spread/buckets/rounds")).hasSize(2);
    assertThat(Files.size(dir.resolve("batching.png"))).isPositive();
    assertThat(dir.resolve("batching.md")).content().contains("FIFO");
  }

  @Test
  void pipelineSuiteReportsThroughputOverheadAndLatency() throws Exception {
    Path out = dir.resolve("pipeline.json");

    int code = run(new PipelineBenchmark(), out, "--checkpoint-interval", "1 s");

    assertThat(code).isZero();
    JsonNode pipeline = new ObjectMapper().readTree(out.toFile()).get("pipeline");
    assertThat(pipeline.get("reviews_per_second").asDouble()).isPositive();
    assertThat(pipeline.get("overhead_ratio").asDouble()).isPositive();
    assertThat(pipeline.get("speedup_vs_per_record").asDouble()).isPositive();
    assertThat(pipeline.get("p99_latency_ms").asLong()).isPositive();
    assertThat(pipeline.at("/reviews_per_second_spread/pipeline/rounds")).hasSize(2);
    assertThat(Files.size(dir.resolve("pipeline.png"))).isPositive();
  }

  private static int run(Object suite, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of("--quick", "--model", TestModels.tiny().toString(), "--out", out.toString()));
    args.addAll(List.of(more));
    return new CommandLine(suite).execute(args.toArray(String[]::new));
  }
}
