package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.job.KafkaBrokerExtension;
import dev.narrowbert.job.TestModels;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.SingleObjectCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The commands a user runs for the streaming job: produce + job against a broker, and demo. */
class StreamingCommandsITCase {
  /** The topics {@code produce} and {@code job} use when given none. */
  @RegisterExtension
  static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withJobTopics(2);

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return NarrowbertCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private JsonNode lastLine() throws Exception {
    List<String> lines = out.toString().lines().toList();
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }

  @Test
  void produceThenBoundedJobAnalysesEveryGoodLine(@TempDir Path dir) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      lines.add("{\"review_id\":\"f-" + i + "\",\"text\":\"review number " + i + " was great\"}");
    }
    lines.add(5, "{not json");
    lines.add(9, "{\"review_id\":\"no-text\"}");
    Path file = Files.write(dir.resolve("reviews.jsonl"), lines);

    assertThat(
            run(
                "produce",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--file",
                file.toString()))
        .isZero();
    JsonNode produced = lastLine();
    assertThat(produced.get("produced").asInt()).isEqualTo(20);
    assertThat(produced.get("bad_lines").asInt()).isEqualTo(2);
    assertThat(err.toString()).contains("line 6: not JSON", "line 10: no \"text\"");

    int status =
        run(
            "job",
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            "--model",
            TestModels.tiny().toString(),
            "--bounded",
            "--checkpoint-interval",
            "500 ms",
            "--parallelism",
            "2");
    assertThat(status).as("job output: %s", err).isZero();

    var results =
        KAFKA.readCommitted("review-analyses", 20, Duration.ofSeconds(30), Duration.ofSeconds(1));
    assertThat(results).hasSize(20);
    ReviewAnalysis first = SingleObjectCodec.analyses().decode(results.get(0).value());
    assertThat(first.getReviewId()).startsWith("f-");
  }

  @Test
  void jobRejectsAnUnknownSettingAsAUsageError() {
    int status =
        run(
            "job",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--model",
            TestModels.tiny().toString(),
            "--max-batch-tokenz",
            "5");
    assertThat(status).isEqualTo(NarrowbertCli.USAGE_ERROR);
    assertThat(err.toString()).startsWith("narrowbert job: unknown setting 'max-batch-tokenz'");
  }

  @Test
  void demoRunsEndToEndAndEndsWithItsJsonSummary() throws Exception {
    int status =
        run("demo", "--reviews", "30", "--model", TestModels.tiny().toString(), "--show", "3");

    assertThat(status).as("demo stderr: %s", err).isZero();
    assertThat(out.toString())
        .contains("review", "sentiment", "demo-00000", "malformed events dead-lettered");
    JsonNode summary = lastLine();
    assertThat(summary.get("produced").asInt()).isEqualTo(37); // 30 reviews + 7 malformed events
    assertThat(summary.get("analyzed").asInt()).isEqualTo(30);
    assertThat(summary.get("dead_lettered").asInt()).isEqualTo(7);
    assertThat(summary.get("reviews_per_second").asDouble()).isPositive();
    assertThat(summary.get("p99_latency_ms").asLong())
        .isGreaterThanOrEqualTo(summary.get("p50_latency_ms").asLong());
  }
}
