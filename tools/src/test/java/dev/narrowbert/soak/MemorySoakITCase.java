package dev.narrowbert.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.job.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A short soak on a tiny model: both phases run to the end and report curves and slopes. */
class MemorySoakITCase {

  @TempDir Path dir;

  @Test
  void reportsHeapAndRssCurvesWithSlopesForTheAnalyzerAndTheJob() throws Exception {
    Path out = dir.resolve("soak.json");

    int code =
        new CommandLine(new MemorySoak())
            .execute(
                "--reviews",
                "400",
                "--sample-every",
                "0.2",
                "--warmup",
                "0",
                "--max-growth",
                "1e5",
                "--model",
                TestModels.tiny().toString(),
                "--out",
                out.toString());

    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    for (String phase : List.of("analyzer", "job")) {
      JsonNode result = json.get(phase);
      assertThat(result.get("reviews").asLong()).as(phase).isGreaterThanOrEqualTo(400);
      assertThat(result.get("curve").size()).as(phase).isGreaterThanOrEqualTo(2);
      assertThat(result.get("rss_mb_max").asDouble()).as(phase).isPositive();
      assertThat(result.get("heap_mb_max").asDouble()).as(phase).isPositive();
      assertThat(result.get("rss_slope_mb_per_100k_reviews").isNumber()).as(phase).isTrue();
    }
    assertThat(Files.size(dir.resolve("soak.png"))).isPositive();
  }

  @Test
  void failsWhenMemoryGrowsFasterThanAllowed() {
    CommandLine command = new CommandLine(new MemorySoak());
    command.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));

    int code =
        command.execute(
            "--reviews",
            "200",
            "--sample-every",
            "0.05",
            "--phases",
            "analyzer",
            "--warmup",
            "0",
            "--max-growth",
            "-100000",
            "--model",
            TestModels.tiny().toString(),
            "--out",
            dir.resolve("s.json").toString());

    assertThat(code).isEqualTo(1);
  }
}
