package dev.narrowbert.cli;

import static dev.narrowbert.cli.BlockTrainingRuns.losses;
import static dev.narrowbert.cli.BlockTrainingRuns.maxDifference;
import static dev.narrowbert.cli.BlockTrainingRuns.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.ParameterList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code narrowbert distill} from a tiny 4-layer BERT teacher into its own weights as sfsf:sfsf.
 */
class DistillCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final BlockTrainingRuns runs = new BlockTrainingRuns();
  private Path temp;
  private Path teacher;

  @BeforeEach
  void fixtures() throws IOException {
    temp = runs.directory();
    teacher = TinyModelDirectory.create(temp.resolve("teacher"), teacherConfig());
    Files.writeString(teacher.resolve("NOTICE"), "weights from a test\n");
  }

  /**
   * A 4-layer BERT initialised with weights ~N(0, 0.2²) rather than BERT's 0.02: at 0.02 attention
   * is almost uniform and the narrow student's states equal BERT's to 1e-8, leaving nothing to
   * distil; at 0.2 they differ as a trained model's do (cosine about 0.5 before distillation).
   */
  private NarrowBertConfig teacherConfig() throws IOException {
    Path file = temp.resolve("teacher-config.json");
    TinyModelDirectory.config().withLayerStack("sfsfsfsf").save(file);
    ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
    JSON.writeValue(file.toFile(), json.put("initializer_range", 0.2));
    return NarrowBertConfig.load(file);
  }

  private CommandRun distill(Path out, int steps, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--teacher", teacher.toString(),
                "--corpus", runs.corpus().toString(),
                "--out", out.toString(),
                "--steps", String.valueOf(steps),
                "--batch-size", "4",
                "--seq-len", "16",
                "--lr", "1e-3",
                "--query-rate", "0.5",
                "--checkpoint-every", "3",
                "--held-out-blocks", "4",
                "--device", "cpu"));
    args.addAll(List.of(extra));
    return CommandRun.of(new DistillCommand(), args.toArray(String[]::new));
  }

  @Test
  void shortRunBringsTheNarrowStudentCloserToTheTeacher() throws Exception {
    Path out = temp.resolve("run");

    CommandRun run = distill(out, 12);

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    List<JsonNode> evaluations = metrics(out).stream().filter(m -> m.has("eval_mse")).toList();
    assertThat(evaluations)
        .extracting(m -> m.get("step").asLong())
        .containsExactly(0L, 3L, 6L, 9L, 12L);
    JsonNode first = evaluations.get(0);
    JsonNode last = evaluations.get(evaluations.size() - 1);
    assertThat(first.get("eval_mse").asDouble()).isPositive();
    assertThat(last.get("eval_mse").asDouble()).isLessThan(first.get("eval_mse").asDouble());
    assertThat(last.get("eval_cosine").asDouble())
        .isGreaterThan(first.get("eval_cosine").asDouble());
    assertThat(last.get("eval_cls_cosine").asDouble())
        .isGreaterThan(first.get("eval_cls_cosine").asDouble())
        .isLessThanOrEqualTo(1.0 + 1e-6);
    JsonNode result = JSON.readTree(run.lastLine());
    assertThat(result.get("eval_mse").asDouble())
        .isCloseTo(last.get("eval_mse").asDouble(), org.assertj.core.data.Offset.offset(1e-7));
    assertThat(result.has("eval_cosine") && result.has("eval_cls_cosine")).isTrue();
    assertThat(Files.readAllBytes(out.resolve("loss.png"))).startsWith(0x89, 'P', 'N', 'G');
    assertThat(out.resolve("NOTICE")).hasContent("weights from a test");
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel distilled = ModelDirectory.load(out, manager).model();
      NarrowBertModel original = ModelDirectory.load(teacher, manager).model();
      assertThat(distilled.config().layerStack()).isEqualTo("sfsf:sfsf");
      assertThat(maxDifference(sentimentHead(distilled), sentimentHead(original))).isZero();
    }
  }

  @Test
  void resumedRunMatchesUninterruptedRun() throws Exception {
    Path straight = temp.resolve("straight");
    Path interrupted = temp.resolve("interrupted");

    assertThat(distill(straight, 6).exitCode()).isZero();
    assertThat(distill(interrupted, 6, "--stop-after", "3").exitCode()).isZero();
    assertThat(distill(interrupted, 6, "--resume").exitCode()).isZero();

    assertThat(losses(interrupted)).hasSize(6).containsExactlyElementsOf(losses(straight));
    try (NDManager manager = NDManager.newBaseManager()) {
      ParameterList a = ModelDirectory.load(straight, manager).model().getParameters();
      ParameterList b = ModelDirectory.load(interrupted, manager).model().getParameters();
      assertThat(maxDifference(a, b)).isLessThanOrEqualTo(1e-6f);
    }
  }

  @Test
  void resumesACheckpointWrittenBeforeDistillationTargetsExisted() throws Exception {
    Path straight = temp.resolve("straight");
    Path interrupted = temp.resolve("interrupted");
    assertThat(distill(straight, 6).exitCode()).isZero();
    assertThat(distill(interrupted, 6, "--stop-after", "3").exitCode()).isZero();
    // training-state.json as distill wrote it before --blocks, --head-weight and --temperature.
    Path state = interrupted.resolve("training-state.json");
    ObjectNode json = (ObjectNode) JSON.readTree(state.toFile());
    ((ObjectNode) json.get("settings")).remove("targets");
    JSON.writeValue(state.toFile(), json);

    CommandRun resumed = distill(interrupted, 6, "--resume");

    assertThat(resumed.exitCode()).as(resumed.stdout()).isZero();
    assertThat(losses(interrupted)).hasSize(6).containsExactlyElementsOf(losses(straight));
  }

  @Test
  void refusesAStudentOfAnotherHiddenSize() throws IOException {
    Path narrow =
        TinyModelDirectory.create(
            temp.resolve("student"), TinyModelDirectory.config().withHiddenSize(24, 3, 37));

    CommandRun run = distill(temp.resolve("run"), 2, "--student", narrow.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout().lines().findFirst().orElseThrow())
        .contains("hidden size 24", "hidden size 36");
    assertThat(temp.resolve("run").resolve("metrics.jsonl")).doesNotExist();
  }

  @Test
  void refusesToResumeWithOtherSettings() {
    Path out = temp.resolve("run");
    assertThat(distill(out, 2).exitCode()).isZero();

    CommandRun run = distill(out, 2, "--resume", "--seed", "7");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).contains("--resume with different settings");
  }

  @Test
  void refusesAFreshRunIntoADirectoryThatHoldsOne() {
    Path out = temp.resolve("run");
    assertThat(distill(out, 2).exitCode()).isZero();

    CommandRun run = distill(out, 2);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).contains("already holds a run");
  }

  @Test
  void reviewBlocksWithSoftTargetsTrainTheHeadsAndLogTheLossParts() throws Exception {
    Path out = temp.resolve("run");

    CommandRun run = distill(out, 6, "--blocks", "reviews", "--head-weight", "1");

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    List<JsonNode> steps = metrics(out).stream().filter(m -> m.has("loss")).toList();
    assertThat(steps).hasSize(6);
    for (JsonNode step : steps) {
      assertThat(step.get("loss").asDouble())
          .isCloseTo(
              step.get("loss_states").asDouble() + step.get("loss_heads").asDouble(),
              org.assertj.core.data.Offset.offset(1e-5));
      assertThat(step.get("loss_heads").asDouble()).isPositive();
    }
    List<JsonNode> evaluations = metrics(out).stream().filter(m -> m.has("eval_mse")).toList();
    assertThat(evaluations).extracting(m -> m.get("step").asLong()).containsExactly(0L, 3L, 6L);
    for (JsonNode evaluation : evaluations) {
      assertThat(evaluation.get("eval_sentiment_agreement").asDouble()).isBetween(0.0, 1.0);
      assertThat(evaluation.get("eval_sentiment_kl").asDouble()).isGreaterThan(-1e-6);
    }
    assertThat(JSON.readTree(run.lastLine()).has("eval_sentiment_agreement")).isTrue();
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel distilled = ModelDirectory.load(out, manager).model();
      NarrowBertModel original = ModelDirectory.load(teacher, manager).model();
      assertThat(maxDifference(sentimentHead(distilled), sentimentHead(original))).isPositive();
      assertThat(
              maxDifference(
                  distilled.entityHead().getParameters(), original.entityHead().getParameters()))
          .isPositive();
      assertThat(
              maxDifference(
                  distilled.mlmHead().getParameters(), original.mlmHead().getParameters()))
          .isZero();
    }
  }

  @Test
  void defaultRunLogsNoLossPartsButTheNewHeldOutFigures() throws Exception {
    Path out = temp.resolve("run");

    assertThat(distill(out, 3).exitCode()).isZero();

    assertThat(metrics(out))
        .filteredOn(m -> m.has("loss"))
        .allSatisfy(m -> assertThat(m.has("loss_heads") || m.has("loss_states")).isFalse());
    assertThat(metrics(out))
        .filteredOn(m -> m.has("eval_mse"))
        .hasSize(2)
        .allSatisfy(m -> assertThat(m.has("eval_sentiment_agreement")).isTrue());
  }

  @Test
  void resumedRunWithReviewBlocksAndSoftTargetsMatchesUninterruptedRun() throws Exception {
    Path straight = temp.resolve("straight");
    Path interrupted = temp.resolve("interrupted");
    String[] options = {"--blocks", "reviews", "--head-weight", "0.5", "--temperature", "3"};

    assertThat(distill(straight, 6, options).exitCode()).isZero();
    assertThat(distill(interrupted, 6, with(options, "--stop-after", "3")).exitCode()).isZero();
    assertThat(distill(interrupted, 6, with(options, "--resume")).exitCode()).isZero();

    assertThat(losses(interrupted)).hasSize(6).containsExactlyElementsOf(losses(straight));
    try (NDManager manager = NDManager.newBaseManager()) {
      ParameterList a = ModelDirectory.load(straight, manager).model().getParameters();
      ParameterList b = ModelDirectory.load(interrupted, manager).model().getParameters();
      assertThat(maxDifference(a, b)).isLessThanOrEqualTo(1e-6f);
    }
  }

  @Test
  void refusesToResumeWithOtherTargets() {
    Path out = temp.resolve("run");
    assertThat(distill(out, 2).exitCode()).isZero();

    for (String[] other :
        List.of(
            new String[] {"--head-weight", "1"},
            new String[] {"--temperature", "4"},
            new String[] {"--blocks", "reviews"})) {
      CommandRun run = distill(out, 2, with(other, "--resume"));

      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.stdout()).contains("--resume with different settings");
    }
  }

  @Test
  void refusesBadTargetsWithOneLine() {
    Map<List<String>, String> problems =
        Map.of(
            List.of("--temperature", "0"), "temperature must be > 0, was 0.0",
            List.of("--head-weight", "-1"), "head weight must be >= 0, was -1.0",
            List.of("--blocks", "words"), "unknown blocks 'words' (expected packed or reviews)");
    problems.forEach(
        (options, message) -> {
          CommandRun run = distill(temp.resolve("run"), 2, options.toArray(String[]::new));

          assertThat(run.exitCode()).as(message).isEqualTo(2);
          assertThat(run.stdout().lines().findFirst().orElseThrow()).isEqualTo(message);
          assertThat(temp.resolve("run")).doesNotExist();
        });
  }

  private static String[] with(String[] options, String... more) {
    List<String> all = new ArrayList<>(List.of(options));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static ParameterList sentimentHead(NarrowBertModel model) {
    return model.sentimentHead().getParameters();
  }
}
