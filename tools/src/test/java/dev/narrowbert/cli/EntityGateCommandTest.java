package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.EncodedBatch;
import dev.narrowbert.inference.Entity;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.model.EntityGate;
import dev.narrowbert.model.FullLengthStates;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.Encoding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code narrowbert gate} on a tiny model fine-tuned for NER on made-up sentences whose entities
 * are "tom hanks", "meryl streep", "paris" and "london": the gate must learn to pass those words
 * and few others, and gated analysis must give what ungated analysis gives.
 */
class EntityGateCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path temp;

  private static Path tuned;
  private static Path gated;
  private static Path valid;
  private static JsonNode summary;

  @BeforeAll
  static void fineTuneThenTrainTheGate() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path train = SyntheticData.sentences(temp.resolve("train.txt"), 120, 1);
    valid = SyntheticData.sentences(temp.resolve("valid.txt"), 30, 2);
    tuned = temp.resolve("tuned");
    CommandRun fineTune =
        CommandRun.of(
            new FineTuneCommand(),
            "--task",
            "ner",
            "--model",
            start.toString(),
            "--train",
            train.toString(),
            "--valid",
            valid.toString(),
            "--out",
            tuned.toString(),
            "--epochs",
            "2",
            "--batch-size",
            "8",
            "--lr",
            "3e-3",
            "--device",
            "cpu");
    assertThat(fineTune.exitCode()).as(fineTune.stdout()).isZero();
    gated = temp.resolve("gated");
    CommandRun gate =
        CommandRun.of(
            new EntityGateCommand(),
            "--model",
            tuned.toString(),
            "--ner-train",
            train.toString(),
            "--ner-valid",
            valid.toString(),
            "--out",
            gated.toString(),
            "--hidden",
            "16",
            "--epochs",
            "30",
            "--batch-size",
            "64",
            "--lr",
            "1e-2",
            "--store",
            "fp32");
    assertThat(gate.exitCode()).as(gate.stdout()).isZero();
    summary = JSON.readTree(gate.lastLine());
  }

  @Test
  void passesTheEntityWordsAndKeepsMostOthersOut() throws Exception {
    // 3 of the 8 words of every sentence are entity words.
    assertThat(summary.get("validation_entity_word_recall").asDouble())
        .isGreaterThanOrEqualTo(0.99);
    assertThat(summary.get("validation_query_share").asDouble()).isLessThan(0.6);
    // The made-up sentences are in lower case, so case says nothing and the recall holds anyway.
    assertThat(summary.get("lower_case_entity_word_recall").asDouble())
        .isGreaterThanOrEqualTo(0.99);
    assertThat(summary.get("train_words").asLong())
        .isEqualTo(2 * 120 * 8); // as written, and packed into longer texts
    assertThat(summary.get("train_entity_words").asLong()).isEqualTo(2 * 120 * 3);
    NarrowBertConfig config = NarrowBertConfig.load(gated.resolve(ModelDirectory.CONFIG_FILE));
    assertThat(config.entityGate().present()).isTrue();
    assertThat((double) config.entityGate().threshold())
        .isCloseTo(summary.get("threshold").asDouble(), within(1e-6));
    assertThat((double) config.entityGate().lowerCaseThreshold())
        .isCloseTo(summary.get("lower_case_threshold").asDouble(), within(1e-6));
    assertThat(gated.resolve("gate-loss.png")).isNotEmptyFile();
    assertThat(gated.resolve("gate-metrics.jsonl")).isNotEmptyFile();
  }

  @Test
  void evalReportsTheGateAndLosesNoEntityItPasses() throws Exception {
    JsonNode on = JSON.readTree(eval(gated, "true").lastLine());
    JsonNode off = JSON.readTree(eval(gated, "false").lastLine());

    assertThat(on.get("entity_gate").get("on").asBoolean()).isTrue();
    assertThat(on.get("entity_gate").get("query_share").asDouble()).isLessThan(0.6);
    assertThat(off.get("entity_gate").get("on").asBoolean()).isFalse();
    assertThat(off.get("entity_gate").get("query_share").asDouble()).isEqualTo(1.0);
    double recall = on.get("entity_gate").get("entity_word_recall").asDouble();
    assertThat(recall).isGreaterThanOrEqualTo(0.99);
    if (recall == 1.0) {
      // Every gold entity word is still computed exactly; the gate can only remove false positives.
      assertThat(on.get("f1").asDouble()).isGreaterThanOrEqualTo(off.get("f1").asDouble());
    }
  }

  @Test
  void gatedAnalysisEqualsUngatedWhereTheGatePassesEveryEntityWord() throws Exception {
    List<String> texts =
        List.of(
            "tom hanks loved the film in paris .",
            "Tom Hanks loved the film in Paris .",
            "the plot was boring , but meryl streep was great in london",
            "i loved it",
            "the acting and the music of the film were very good and the end was fun");
    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(gated, "cpu")) {
      List<Analysis> ungated = analyzer.useEntityGate(false).analyze(texts);
      List<Analysis> withGate = analyzer.useEntityGate(true).analyze(texts);
      ReviewAnalyzer.QueryShare share = analyzer.queryShare();

      assertThat(ungated.get(0).entities()).extracting(Entity::text).contains("tom hanks");
      float[][] gate = gateProbabilities(texts);
      int compared = 0;
      for (int i = 0; i < texts.size(); i++) {
        Analysis a = ungated.get(i);
        Analysis b = withGate.get(i);
        // Sentiment and embedding never depend on the entity queries.
        assertThat(b.sentiment()).isEqualTo(a.sentiment());
        assertThat(b.sentimentProbabilities().get("positive"))
            .isCloseTo(a.sentimentProbabilities().get("positive"), within(1e-5f));
        assertThat(b.embedding()).containsExactly(a.embedding(), within(1e-5f));
        Encoding encoding = analyzer.encode(texts.get(i));
        float threshold =
            analyzer.config().entityGate().thresholdFor(EntityGate.hasCapitals(encoding));
        if (!passesEveryEntityWord(encoding, a.entities(), gate[i], threshold)) {
          continue;
        }
        compared++;
        assertThat(b.entities()).hasSameSizeAs(a.entities());
        for (int e = 0; e < a.entities().size(); e++) {
          Entity x = a.entities().get(e);
          Entity y = b.entities().get(e);
          assertThat(List.of(y.type(), y.text(), y.start(), y.end()))
              .isEqualTo(List.of(x.type(), x.text(), x.start(), x.end()));
          assertThat(y.score()).isCloseTo(x.score(), within(1e-5f));
        }
      }
      assertThat(compared)
          .as("texts whose entity words all pass the gate")
          .isGreaterThanOrEqualTo(2);
      // The gated half of the run queried fewer words than it saw: the gate did keep words out.
      assertThat(share.queries()).isLessThan(share.words());
    }
  }

  @Test
  void rejectsABadRecallAndAFullLengthModelInOneLine() throws Exception {
    Path bert =
        TinyModelDirectory.create(
            temp.resolve("bert"), TinyModelDirectory.config().withLayerStack("sfsf"));

    CommandRun badRecall = gate(tuned, "--recall", "1.5");
    CommandRun fullLength = gate(bert);

    assertThat(badRecall.exitCode()).isEqualTo(2);
    assertThat(badRecall.stdout()).contains("--recall must be in (0, 1]");
    assertThat(fullLength.exitCode()).isEqualTo(2);
    assertThat(fullLength.stdout()).contains("a gate needs a narrow stack");
  }

  /** Whether every word inside an (ungated) entity has a gate probability at the threshold. */
  private static boolean passesEveryEntityWord(
      Encoding encoding, List<Entity> entities, float[] gate, float threshold) {
    int[] words = encoding.firstSubTokenPositions();
    for (Entity entity : entities) {
      for (int w = 0; w < words.length; w++) {
        int start = encoding.starts()[words[w]];
        if (start >= entity.start() && start < entity.end() && gate[w] < threshold) {
          return false;
        }
      }
    }
    return true;
  }

  private static CommandRun gate(Path model, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model", model.toString(),
                "--ner-train", valid.toString(),
                "--ner-valid", valid.toString(),
                "--out", temp.resolve("rejected").toString()));
    args.addAll(List.of(extra));
    return CommandRun.of(new EntityGateCommand(), args.toArray(String[]::new));
  }

  private static CommandRun eval(Path model, String gate) {
    return CommandRun.of(
        new EvalCommand(),
        "--task",
        "ner",
        "--model",
        model.toString(),
        "--data",
        valid.toString(),
        "--entity-gate",
        gate,
        "--device",
        "cpu");
  }

  /** The gate's probability for every word of every text, from the model's public parts. */
  private static float[][] gateProbabilities(List<String> texts) throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        ReviewAnalyzer analyzer = ReviewAnalyzer.open(gated, "cpu")) {
      ModelDirectory directory = ModelDirectory.load(gated, manager);
      List<Encoding> encodings = texts.stream().map(analyzer::encode).toList();
      ParameterStore ps = new ParameterStore(manager, false);
      EncodedBatch batch = EncodedBatch.of(manager, encodings, directory.vocabulary().padId());
      FullLengthStates context = directory.model().encodeFullLength(ps, batch.inputs(), false);
      return directory
          .model()
          .entityGate()
          .probabilities(ps, context.states(), batch.firstSubTokens(), encodings);
    }
  }
}
