package dev.narrowbert.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.inference.TinyModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The GPU check's main, run on the CPU as its own reference (how it is rehearsed off the GPU). */
class DeviceBenchmarkTest {

  @TempDir Path dir;

  @Test
  void comparesWithTheCpuAndTimesNarrowAgainstFullBertOfTheSameWeights() throws Exception {
    Path model = TinyModelDirectory.create(dir.resolve("model"));
    Path reviews = dir.resolve("reviews.jsonl");
    Files.writeString(
        reviews,
        """
        {"text": "Tom Hanks was great in Paris. I loved it!"}
        {"text": "the plot was boring and the acting terrible"}
        {"text": "a very fun movie"}
        """);
    Path out = dir.resolve("device.json");

    int code =
        new CommandLine(new DeviceBenchmark())
            .execute(
                "--model", model.toString(),
                "--reviews", reviews.toString(),
                "--device", "cpu",
                "--batch-sizes", "1,4",
                "--seconds", "0.01",
                "--min-rounds", "2",
                "--warmup", "1",
                "--out", out.toString());

    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertThat(json.at("/settings/narrow_stack").asText()).isEqualTo("sf:sf");
    assertThat(json.at("/settings/full_stack").asText()).isEqualTo("sfsf");
    for (String length : List.of("reviews", "max_length")) {
      JsonNode same = json.at("/parity/cpu_fp32_vs_device_fp32/" + length);
      assertThat(same.get("reviews").asInt()).isEqualTo(3);
      assertThat(same.get("max_logit_difference").asDouble()).isZero();
      assertThat(same.get("max_embedding_difference").asDouble()).isZero();
      assertThat(same.get("label_agreement").asDouble()).isEqualTo(1.0);
      JsonNode half = json.at("/parity/device_fp32_vs_device_fp16/" + length);
      assertThat(half.get("max_embedding_difference").asDouble())
          .isPositive()
          .isLessThan(0.05 * half.get("embedding_scale").asDouble());
      assertThat(half.get("min_embedding_cosine").asDouble()).isGreaterThan(0.99);
    }
    // 2 precisions x 2 lengths x 2 batch sizes, each with every variant timed.
    assertThat(json.get("throughput")).hasSize(8);
    for (JsonNode row : json.get("throughput")) {
      assertThat(row.at("/narrow/median").asDouble()).isPositive();
      assertThat(row.at("/full/rounds").size()).isGreaterThanOrEqualTo(2);
      assertThat(row.get("speedup").asDouble()).isPositive();
    }
    assertThat(json.get("throughput").get(0).fieldNames())
        .toIterable()
        .contains("narrow", "full", "narrow_separate_kv");
    JsonNode longest = json.get("throughput").get(2);
    assertThat(longest.get("length").asText()).isEqualTo("max_length");
    assertThat(longest.get("padded_tokens").asInt()).isEqualTo(16); // the tiny model's maximum
  }

  @Test
  void variantsShareTheCheckpointAndChangeOnlyTheStackOrTheKeyValueSetting() throws Exception {
    Path model = TinyModelDirectory.create(dir.resolve("model"));
    List<Path> copies = new java.util.ArrayList<>();

    Path full = DeviceBenchmark.copy(model, copies, c -> c.withLayerStack("sfsf"));

    assertThat(copies).containsExactly(full);
    assertThat(full.resolve("config.json")).content().contains("\"sfsf\"");
    assertThat(full.resolve("model.params")).hasSameBinaryContentAs(model.resolve("model.params"));
    assertThat(DeviceBenchmark.fullStack(TinyModelDirectory.config())).isEqualTo("sfsf");
  }
}
