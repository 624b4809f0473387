package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.Entity;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.training.ModelParts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTuneCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void oneEpochOfSentimentFineTuningBeatsChance() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path train = SyntheticData.reviews(temp.resolve("train.jsonl"), 320, 1);
    Path valid = SyntheticData.reviews(temp.resolve("valid.jsonl"), 60, 2);
    Path out = temp.resolve("sentiment");

    CommandRun run = fineTune("sentiment", start, train, valid, out);
    CommandRun eval = eval("sentiment", out, valid);

    assertThat(run.exitCode()).isZero();
    assertThat(out.resolve("loss.png")).isNotEmptyFile();
    assertThat(out.resolve("metrics.jsonl")).isNotEmptyFile();
    JsonNode result = JSON.readTree(eval.lastLine());
    assertThat(result.get("task").asText()).isEqualTo("sentiment");
    assertThat(result.get("examples").asInt()).isEqualTo(60);
    assertThat(result.get("accuracy").asDouble()).isGreaterThan(0.75);
    assertThat(result.get("macro_f1").asDouble()).isGreaterThan(0.7);
  }

  @Test
  void nerFineTuningKeepsTheSentimentHeadAndEvalReportsEntityScores() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path train = SyntheticData.sentences(temp.resolve("train.txt"), 120, 1);
    Path valid = SyntheticData.sentences(temp.resolve("valid.txt"), 30, 2);
    Path out = temp.resolve("ner");

    CommandRun run = fineTune("ner", start, train, valid, out);
    CommandRun eval = eval("ner", out, valid);

    assertThat(run.exitCode()).isZero();
    assertThat(sentimentHead(out)).isNotEmpty().isEqualTo(sentimentHead(start));
    JsonNode result = JSON.readTree(eval.lastLine());
    assertThat(result.get("task").asText()).isEqualTo("ner");
    assertThat(result.get("sentences").asInt()).isEqualTo(30);
    assertThat(result.get("f1").asDouble()).isBetween(0.0, 1.0);
    assertThat(result.get("per_type").has("PER") || result.get("f1").asDouble() == 0).isTrue();
  }

  @Test
  void rejectsAnUnknownTaskAsAUsageError() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path train = SyntheticData.reviews(temp.resolve("train.jsonl"), 4, 1);

    CommandRun run = fineTune("pos", start, train, train, temp.resolve("out"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).contains("--task must be sentiment, ner or joint");
  }

  @Test
  void jointFineTuningServesSentimentAndEntitiesFromOneDirectory() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path reviews = SyntheticData.reviews(temp.resolve("reviews.jsonl"), 96, 1);
    Path reviewsValid = SyntheticData.reviews(temp.resolve("reviews-valid.jsonl"), 40, 2);
    Path sentences = SyntheticData.sentences(temp.resolve("train.txt"), 48, 3);
    Path sentencesValid = SyntheticData.sentences(temp.resolve("valid.txt"), 20, 4);
    Path out = temp.resolve("joint");

    CommandRun run =
        CommandRun.of(
            new FineTuneCommand(),
            "--task",
            "joint",
            "--model",
            start.toString(),
            "--train",
            reviews.toString(),
            "--valid",
            reviewsValid.toString(),
            "--ner-train",
            sentences.toString(),
            "--ner-valid",
            sentencesValid.toString(),
            "--ner-weight",
            "0.5",
            "--out",
            out.toString(),
            "--epochs",
            "4",
            "--batch-size",
            "8",
            "--lr",
            "3e-3",
            "--device",
            "cpu");
    JsonNode sentiment = JSON.readTree(eval("sentiment", out, reviewsValid).lastLine());
    JsonNode entities = JSON.readTree(eval("ner", out, sentencesValid).lastLine());

    assertThat(run.exitCode()).isZero();
    JsonNode summary = JSON.readTree(run.lastLine());
    assertThat(summary.get("task").asText()).isEqualTo("joint");
    assertThat(summary.has("best_valid_score")).isTrue();
    assertThat(sentiment.get("accuracy").asDouble()).isGreaterThan(0.75);
    assertThat(entities.get("f1").asDouble()).isGreaterThan(0.5);
    assertThat(metricNames(out.resolve("metrics.jsonl")))
        .contains(
            "loss",
            "loss_sentiment",
            "loss_ner",
            "valid_sentiment_accuracy",
            "valid_ner_f1",
            "valid_score");
    assertThat(out.resolve("loss.png")).isNotEmptyFile();
    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(out, "cpu")) {
      List<Analysis> results =
          analyzer.analyze(
              List.of("the film great plot <br /> fun story", "meryl streep hated the film ."));
      assertThat(results.get(0).sentiment()).isEqualTo("positive");
      assertThat(results.get(1).entities())
          .extracting(Entity::type, Entity::text)
          .contains(org.assertj.core.groups.Tuple.tuple("PER", "meryl streep"));
    }
  }

  @Test
  void resumedJointRunMatchesUninterruptedRun() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path straight = temp.resolve("straight");
    Path interrupted = temp.resolve("interrupted");

    assertThat(jointRun(start, straight, "--checkpoint-every", "0").exitCode()).isZero();
    // Step 7 is past the NER task's first pass (6 batches), so its reshuffled second pass resumes.
    CommandRun first = jointRun(start, interrupted, "--checkpoint-every", "3", "--stop-after", "7");
    Path checkpoint = interrupted.resolve("resume");
    assertThat(first.exitCode()).as(first.stdout()).isZero();
    assertThat(checkpoint.resolve("training-state.json")).isNotEmptyFile();
    CommandRun second = jointRun(start, interrupted, "--resume");

    assertThat(second.exitCode()).as(second.stdout()).isZero();
    assertThat(JSON.readTree(second.lastLine()).get("steps").asInt()).isEqualTo(12);
    assertThat(stepFigures(interrupted)).isEqualTo(stepFigures(straight));
    assertThat(checkpoint).doesNotExist();
    try (NDManager manager = NDManager.newBaseManager()) {
      var a = ModelDirectory.load(straight, manager).model().getParameters();
      var b = ModelDirectory.load(interrupted, manager).model().getParameters();
      float maxDifference = 0;
      for (int i = 0; i < a.size(); i++) {
        float difference =
            a.valueAt(i).getArray().sub(b.valueAt(i).getArray()).abs().max().getFloat();
        maxDifference = Math.max(maxDifference, difference);
      }
      assertThat(maxDifference).isLessThanOrEqualTo(1e-6f);
    }
  }

  @Test
  void resumeRefusesOtherSettingsAndAFreshRunRefusesAnUnfinishedOne() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path out = temp.resolve("run");
    assertThat(jointRun(start, out, "--stop-after", "2").exitCode()).isZero();

    CommandRun otherSeed = jointRun(start, out, "--resume", "--seed", "7");
    CommandRun fresh = jointRun(start, out);
    CommandRun nothing = jointRun(start, temp.resolve("empty"), "--resume");

    assertThat(otherSeed.exitCode()).isEqualTo(2);
    assertThat(otherSeed.stdout()).contains("--resume with different settings");
    assertThat(fresh.exitCode()).isEqualTo(2);
    assertThat(fresh.stdout()).contains("holds an unfinished run: pass --resume");
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.stdout()).contains("--resume: no checkpoint in");
  }

  @Test
  void resumedNerRunWithDocumentContextMatchesUninterruptedRun() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path straight = temp.resolve("straight");
    Path interrupted = temp.resolve("interrupted");

    CommandRun whole = nerContextRun(start, straight, "6", "--checkpoint-every", "0");
    // Step 7 is in the second pass (6 batches of 8 sentences each).
    CommandRun first =
        nerContextRun(start, interrupted, "6", "--checkpoint-every", "3", "--stop-after", "7");
    CommandRun second = nerContextRun(start, interrupted, "6", "--resume");

    assertThat(whole.exitCode()).as(whole.stdout()).isZero();
    assertThat(first.exitCode()).as(first.stdout()).isZero();
    assertThat(second.exitCode()).as(second.stdout()).isZero();
    assertThat(JSON.readTree(second.lastLine()).get("steps").asInt()).isEqualTo(12);
    assertThat(stepFigures(interrupted)).isEqualTo(stepFigures(straight));
    try (NDManager manager = NDManager.newBaseManager()) {
      var a = ModelDirectory.load(straight, manager).model().getParameters();
      var b = ModelDirectory.load(interrupted, manager).model().getParameters();
      for (int i = 0; i < a.size(); i++) {
        assertThat(a.valueAt(i).getArray().sub(b.valueAt(i).getArray()).abs().max().getFloat())
            .isLessThanOrEqualTo(1e-6f);
      }
    }
  }

  @Test
  void resumeWithAnotherNerContextIsRefusedInOneLine() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path out = temp.resolve("run");
    assertThat(nerContextRun(start, out, "6", "--stop-after", "2").exitCode()).isZero();

    CommandRun other = nerContextRun(start, out, "4", "--resume");
    CommandRun none = nerContextRun(start, out, "0", "--resume");

    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.stdout().lines().findFirst().orElse(""))
        .contains("--resume with different example settings")
        .contains("context=6")
        .contains("context=4");
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.stdout().lines().findFirst().orElse(""))
        .contains("--resume with different example settings");
  }

  @Test
  void nerContextThatIsNegativeOrForSentimentIsAUsageError() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path reviews = SyntheticData.reviews(temp.resolve("train.jsonl"), 4, 1);

    CommandRun negative = nerContextRun(start, temp.resolve("out"), "-2");
    CommandRun sentiment =
        CommandRun.of(
            new FineTuneCommand(),
            "--task",
            "sentiment",
            "--model",
            start.toString(),
            "--train",
            reviews.toString(),
            "--valid",
            reviews.toString(),
            "--ner-context",
            "8",
            "--out",
            temp.resolve("out2").toString());

    assertThat(negative.exitCode()).isEqualTo(2);
    assertThat(negative.stdout().lines().findFirst().orElse(""))
        .contains("--ner-context must be >= 0 word pieces, was -2");
    assertThat(sentiment.exitCode()).isEqualTo(2);
    assertThat(sentiment.stdout().lines().findFirst().orElse(""))
        .contains("--ner-context is for --task ner and joint only");
  }

  /**
   * NER fine-tuning with {@code --ner-context} for two epochs of 6 steps: 48 sentences in 6
   * documents, batches of 8.
   */
  private CommandRun nerContextRun(Path start, Path out, String context, String... extra)
      throws Exception {
    Path sentences = SyntheticData.documents(temp.resolve("docs.txt"), 6, 8, 3);
    Path valid = SyntheticData.documents(temp.resolve("docs-valid.txt"), 2, 4, 4);
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--task",
                "ner",
                "--model",
                start.toString(),
                "--train",
                sentences.toString(),
                "--valid",
                valid.toString(),
                "--ner-context",
                context,
                "--out",
                out.toString(),
                "--epochs",
                "2",
                "--batch-size",
                "8",
                "--lr",
                "3e-3",
                "--eval-every",
                "4",
                "--patience",
                "5",
                "--device",
                "cpu"));
    args.addAll(List.of(extra));
    return CommandRun.of(new FineTuneCommand(), args.toArray(String[]::new));
  }

  /** Joint fine-tuning for one epoch (12 steps of 8 reviews, the 48 sentences cycled twice). */
  private CommandRun jointRun(Path start, Path out, String... extra) throws Exception {
    Path reviews = SyntheticData.reviews(temp.resolve("r.jsonl"), 96, 1);
    Path reviewsValid = SyntheticData.reviews(temp.resolve("rv.jsonl"), 16, 2);
    Path sentences = SyntheticData.sentences(temp.resolve("s.txt"), 48, 3);
    Path sentencesValid = SyntheticData.sentences(temp.resolve("sv.txt"), 8, 4);
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--task",
                "joint",
                "--model",
                start.toString(),
                "--train",
                reviews.toString(),
                "--valid",
                reviewsValid.toString(),
                "--ner-train",
                sentences.toString(),
                "--ner-valid",
                sentencesValid.toString(),
                "--out",
                out.toString(),
                "--epochs",
                "1",
                "--batch-size",
                "8",
                "--lr",
                "3e-3",
                "--eval-every",
                "4",
                "--patience",
                "5",
                "--device",
                "cpu"));
    args.addAll(List.of(extra));
    return CommandRun.of(new FineTuneCommand(), args.toArray(String[]::new));
  }

  /** Every metrics line without its timing figure, in order. */
  private static List<String> stepFigures(Path run) throws Exception {
    List<String> lines = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
      node.remove("tokens_per_s");
      lines.add(node.toString());
    }
    return lines;
  }

  @Test
  void jointFineTuningWithoutNerDataIsAUsageError() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path train = SyntheticData.reviews(temp.resolve("train.jsonl"), 4, 1);

    CommandRun run = fineTune("joint", start, train, train, temp.resolve("out"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).contains("--task joint needs --ner-train FILE and --ner-valid FILE");
  }

  @Test
  void nerDataForASingleTaskIsAUsageError() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path train = SyntheticData.reviews(temp.resolve("train.jsonl"), 4, 1);
    Path sentences = SyntheticData.sentences(temp.resolve("train.txt"), 4, 1);

    CommandRun run =
        CommandRun.of(
            new FineTuneCommand(),
            "--task",
            "sentiment",
            "--model",
            start.toString(),
            "--train",
            train.toString(),
            "--valid",
            train.toString(),
            "--ner-train",
            sentences.toString(),
            "--out",
            temp.resolve("out").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).contains("are for --task joint only");
  }

  private static CommandRun eval(String task, Path model, Path data) {
    return CommandRun.of(
        new EvalCommand(),
        "--task",
        task,
        "--model",
        model.toString(),
        "--data",
        data.toString(),
        "--device",
        "cpu");
  }

  private static Set<String> metricNames(Path metrics) throws Exception {
    Set<String> names = new TreeSet<>();
    for (String line : Files.readAllLines(metrics)) {
      JSON.readTree(line).fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  private static CommandRun fineTune(String task, Path start, Path train, Path valid, Path out) {
    return CommandRun.of(
        new FineTuneCommand(),
        "--task",
        task,
        "--model",
        start.toString(),
        "--train",
        train.toString(),
        "--valid",
        valid.toString(),
        "--out",
        out.toString(),
        "--epochs",
        "1",
        "--batch-size",
        "8",
        "--lr",
        "3e-3",
        "--device",
        "cpu");
  }

  private static Map<String, String> sentimentHead(Path model) throws Exception {
    Map<String, String> values = new LinkedHashMap<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel loaded = ModelDirectory.load(model, manager).model();
      ModelParts parts = ModelParts.of(loaded);
      for (Pair<String, Parameter> p : loaded.getParameters()) {
        if (parts.belongsTo(p.getValue(), ModelParts.Part.SENTIMENT_HEAD)) {
          values.put(p.getKey(), java.util.Arrays.toString(p.getValue().getArray().toFloatArray()));
        }
      }
    }
    return values;
  }
}
