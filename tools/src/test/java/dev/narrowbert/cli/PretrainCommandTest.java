package dev.narrowbert.cli;

import static dev.narrowbert.cli.BlockTrainingRuns.losses;
import static dev.narrowbert.cli.BlockTrainingRuns.maxDifference;
import static dev.narrowbert.cli.BlockTrainingRuns.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.ParameterList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.TinyModelDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PretrainCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final BlockTrainingRuns runs = new BlockTrainingRuns();
  private Path temp;
  private Path config;
  private Path vocab;

  @BeforeEach
  void fixtures() throws IOException {
    temp = runs.directory();
    config = temp.resolve("config.json");
    TinyModelDirectory.config().save(config);
    vocab = temp.resolve("vocab.txt");
    TinyModelDirectory.vocabulary().save(vocab);
  }

  private CommandRun pretrain(Path out, int steps, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--corpus", runs.corpus().toString(),
                "--config", config.toString(),
                "--vocab", vocab.toString(),
                "--out", out.toString(),
                "--steps", String.valueOf(steps),
                "--batch-size", "4",
                "--seq-len", "16",
                "--lr", "1e-3",
                "--checkpoint-every", "2",
                "--held-out-blocks", "4",
                "--device", "cpu"));
    args.addAll(List.of(extra));
    return CommandRun.of(new PretrainCommand(), args.toArray(String[]::new));
  }

  @Test
  void twoStepRunWritesCheckpointMetricsAndChart() throws Exception {
    Path out = temp.resolve("run");

    CommandRun run = pretrain(out, 2);

    assertThat(run.exitCode()).isZero();
    assertThat(JSON.readTree(run.lastLine()).get("eval_loss").asDouble()).isPositive();
    assertThat(JSON.readTree(out.resolve("training-state.json").toFile()).get("step").asLong())
        .isEqualTo(2);
    List<JsonNode> metrics = metrics(out);
    assertThat(metrics)
        .filteredOn(m -> m.has("loss"))
        .extracting(m -> m.get("step").asLong())
        .containsExactly(1L, 2L);
    assertThat(metrics).anySatisfy(m -> assertThat(m.get("eval_accuracy")).isNotNull());
    byte[] png = Files.readAllBytes(out.resolve("loss.png"));
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    assertThat(out.resolve("optimizer.state")).isNotEmptyFile();
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThat(ModelDirectory.load(out, manager).config().hiddenSize()).isEqualTo(36);
    }
  }

  @Test
  void resumedRunMatchesUninterruptedRun() throws Exception {
    Path straight = temp.resolve("straight");
    Path interrupted = temp.resolve("interrupted");

    assertThat(pretrain(straight, 6).exitCode()).isZero();
    assertThat(pretrain(interrupted, 6, "--stop-after", "3").exitCode()).isZero();
    assertThat(pretrain(interrupted, 6, "--resume").exitCode()).isZero();

    assertThat(losses(interrupted)).containsExactlyElementsOf(losses(straight));
    try (NDManager manager = NDManager.newBaseManager()) {
      ParameterList a = ModelDirectory.load(straight, manager).model().getParameters();
      ParameterList b = ModelDirectory.load(interrupted, manager).model().getParameters();
      assertThat(maxDifference(a, b)).isLessThanOrEqualTo(1e-6f);
    }
  }

  @Test
  void refusesToResumeWithOtherSettings() {
    Path out = temp.resolve("run");
    assertThat(pretrain(out, 2).exitCode()).isZero();

    CommandRun run = pretrain(out, 2, "--resume", "--seed", "7");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).contains("--resume with different settings");
  }
}
