package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.data.ConllColumns;
import dev.narrowbert.data.Review;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.inference.TagDecoding;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.metrics.EntitySpanScorer;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.Pooling;
import dev.narrowbert.tasks.EntityTagger;
import dev.narrowbert.tasks.EntityTask;
import dev.narrowbert.tasks.TaggedSentence;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.training.TrainingOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code eval} without {@code --model} uses the shipped model, as {@code analyze} does; {@code eval
 * --task embedding} on a tiny model, checked against a brute-force k-NN over the analyzer's own
 * embeddings and against itself as the reference.
 */
class EvalCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  private final String homeBefore = System.getProperty(DefaultModel.HOME_PROPERTY);

  @AfterEach
  void restoreHome() {
    if (homeBefore == null) {
      System.clearProperty(DefaultModel.HOME_PROPERTY);
    } else {
      System.setProperty(DefaultModel.HOME_PROPERTY, homeBefore);
    }
  }

  @Test
  void scoresTheShippedModelWhenNoModelIsGiven() throws Exception {
    TinyModelDirectory.create(home.resolve(DefaultModel.RELATIVE_PATH));
    Path data = SyntheticData.reviews(home.resolve("reviews.jsonl"), 20, 3);
    System.setProperty(DefaultModel.HOME_PROPERTY, home.toString());

    CommandRun run =
        CommandRun.of(
            new EvalCommand(), "--task", "sentiment", "--data", data.toString(), "--device", "cpu");

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    JsonNode result = JSON.readTree(run.lastLine());
    assertThat(result.get("task").asText()).isEqualTo("sentiment");
    assertThat(result.get("examples").asInt()).isEqualTo(20);
  }

  @Test
  void withoutModelOrShippedModelIsAUsageErrorSayingHowToGetOne() throws Exception {
    Path data = SyntheticData.reviews(home.resolve("reviews.jsonl"), 2, 3);
    System.setProperty(DefaultModel.HOME_PROPERTY, home.resolve("no-project").toString());

    CommandRun run =
        CommandRun.of(new EvalCommand(), "--task", "sentiment", "--data", data.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).contains("no --model given", "init-model");
  }

  @Test
  void embeddingAgreementMatchesBruteForceNeighboursOfTheAnalyzersEmbeddings() throws Exception {
    // mean pooling: the [CLS] states of a random tiny model are nearly parallel (cosines within
    // 1e-5 of each other), so float rounding would decide the neighbours
    Path model =
        TinyModelDirectory.create(
            home.resolve("tiny"), TinyModelDirectory.config().withPooling(Pooling.MEAN));
    Path data = embeddingData();

    CommandRun run = embeddingRun(data, model, "--neighbours", "5", "--batch-size", "4");

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    JsonNode result = JSON.readTree(run.lastLine());
    assertThat(result.get("task").asText()).isEqualTo("embedding");
    assertThat(result.get("examples").asInt()).isEqualTo(32); // the unlabelled review skipped
    assertThat(result.get("sample_of").asInt()).isEqualTo(32);
    assertThat(result.get("neighbours").asInt()).isEqualTo(5);
    // 16 of each label: 2 x 16 x 15 / (32 x 31)
    assertThat(result.get("chance_agreement").asDouble()).isCloseTo(480.0 / 992, within(1e-6));
    assertThat(result.get("pooling").asText()).isEqualTo("mean");
    assertThat(result.get("knn_label_agreement").asDouble())
        .isCloseTo(BruteForceNeighbours.labelAgreement(model, data, 5), within(2e-6));
    assertThat(result.has("reference")).isFalse();
    assertThat(result.has("mean_cosine")).isFalse();
  }

  @Test
  void theModelAsItsOwnReferenceOverlapsFullyAndCorrelatesPerfectly() throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    Path data = embeddingData();

    CommandRun run = embeddingRun(data, model, "--reference", model.toString());

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    JsonNode result = JSON.readTree(run.lastLine());
    assertThat(result.get("neighbours").asInt()).isEqualTo(10);
    JsonNode reference = result.get("reference");
    assertThat(reference.get("model").asText()).isEqualTo(model.toString());
    assertThat(reference.get("pooling").asText()).isEqualTo("cls");
    assertThat(reference.get("knn_label_agreement").asDouble())
        .isEqualTo(result.get("knn_label_agreement").asDouble());
    assertThat(result.get("neighbour_overlap").asDouble()).isCloseTo(1.0, within(1e-6));
    assertThat(result.get("similarity_correlation").asDouble()).isCloseTo(1.0, within(1e-6));
    assertThat(result.get("mean_cosine").asDouble()).isCloseTo(1.0, within(1e-6));
  }

  @Test
  void aReferenceOfAnotherPoolingAndWidthHasNoMeanCosine() throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    Path wider =
        TinyModelDirectory.create(
            home.resolve("wider"),
            TinyModelDirectory.config().withHiddenSize(48, 4, 41).withPooling(Pooling.MEAN));
    Path data = embeddingData();

    CommandRun run = embeddingRun(data, model, "--reference", wider.toString());

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    JsonNode result = JSON.readTree(run.lastLine());
    assertThat(result.get("pooling").asText()).isEqualTo("cls");
    assertThat(result.get("reference").get("pooling").asText()).isEqualTo("mean");
    assertThat(result.get("neighbour_overlap").asDouble()).isBetween(0.0, 1.0);
    assertThat(result.get("similarity_correlation").asDouble()).isBetween(-1.0, 1.0);
    assertThat(result.has("mean_cosine")).isFalse();
  }

  @Test
  void sampleScoresTheSameSeededSubsetEveryTime() throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    Path data = embeddingData();

    CommandRun first = embeddingRun(data, model, "--sample", "12", "--neighbours", "3");
    CommandRun again = embeddingRun(data, model, "--sample", "12", "--neighbours", "3");

    assertThat(first.exitCode()).as(first.stdout()).isZero();
    JsonNode result = JSON.readTree(first.lastLine());
    assertThat(result.get("examples").asInt()).isEqualTo(12);
    assertThat(result.get("sample_of").asInt()).isEqualTo(32);
    assertThat(again.lastLine()).isEqualTo(first.lastLine());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "embedding | --neighbours 0 | --neighbours must be >= 1",
        "embedding | --neighbours 32 | --neighbours 32 needs at least 33 labelled reviews, got 32",
        "embedding | --sample -1 | --sample must be >= 0",
        "embedding | --entity-gate false | --entity-gate does not apply to --task embedding",
        "embedding | --max-len 8 | --max-len does not apply to --task embedding",
        "sentiment | --reference . | --reference is only for --task embedding",
        "ner | --neighbours 5 | --neighbours is only for --task embedding",
      })
  void embeddingOptionsOutOfPlaceAreUsageErrors(String task, String options, String message)
      throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "--task", task, "--data", embeddingData().toString(), "--model", model.toString()));
    args.addAll(Arrays.asList(options.split(" ")));

    CommandRun run = CommandRun.of(new EvalCommand(), args.toArray(String[]::new));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout().lines().findFirst().orElse("")).contains(message);
  }

  @Test
  void nerWithoutContextScoresEverySentenceAsItIsTaggedAlone() throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    Path data = SyntheticData.documents(home.resolve("docs.txt"), 3, 5, 9);

    CommandRun zero = nerRun(model, data, "--context", "0");
    CommandRun unset = nerRun(model, data);

    assertThat(zero.exitCode()).as(zero.stdout()).isZero();
    assertThat(zero.lastLine()).isEqualTo(unset.lastLine());
    JsonNode result = JSON.readTree(zero.lastLine());
    assertThat(result.get("context").asInt()).isZero();
    EntitySpanScorer alone = scoreAlone(model, data);
    assertThat(result.get("sentences").asLong()).isEqualTo(15);
    assertThat(result.get("precision").asDouble())
        .isEqualTo(EvalCommand.round(alone.overall().precision()));
    assertThat(result.get("recall").asDouble())
        .isEqualTo(EvalCommand.round(alone.overall().recall()));
    assertThat(result.get("f1").asDouble()).isEqualTo(EvalCommand.round(alone.overall().f1()));
    assertThat(result.get("token_accuracy").asDouble())
        .isEqualTo(EvalCommand.round(alone.tokenAccuracy()));
  }

  @Test
  void nerWithContextScoresEverySentenceAndRecordsTheContext() throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    Path data = SyntheticData.documents(home.resolve("docs.txt"), 3, 5, 9);

    CommandRun run = nerRun(model, data, "--context", "6");

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    JsonNode result = JSON.readTree(run.lastLine());
    assertThat(result.get("context").asInt()).isEqualTo(6);
    assertThat(result.get("sentences").asLong()).isEqualTo(15);
    assertThat(result.get("token_accuracy").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void nerDecodesValidBioByDefaultAndArgmaxOnRequestAndRecordsWhich() throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    Path data = SyntheticData.documents(home.resolve("docs.txt"), 3, 5, 9);

    JsonNode bio = JSON.readTree(nerRun(model, data).lastLine());
    JsonNode argmax = JSON.readTree(nerRun(model, data, "--tag-decoding", "argmax").lastLine());
    CommandRun unknown = nerRun(model, data, "--tag-decoding", "crf");

    assertThat(bio.get("tag_decoding").asText()).isEqualTo("bio");
    assertThat(argmax.get("tag_decoding").asText()).isEqualTo("argmax");
    EntitySpanScorer alone = scoreAlone(model, data, TagDecoding.ARGMAX);
    assertThat(argmax.get("f1").asDouble()).isEqualTo(EvalCommand.round(alone.overall().f1()));
    assertThat(argmax.get("token_accuracy").asDouble())
        .isEqualTo(EvalCommand.round(alone.tokenAccuracy()));
    // The untrained tiny model's near-uniform tags are mostly invalid BIO, which bio repairs.
    assertThat(bio.get("token_accuracy").asDouble())
        .isNotEqualTo(argmax.get("token_accuracy").asDouble());
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.stdout().lines().findFirst().orElse(""))
        .contains("--tag-decoding must be argmax or bio, was crf");
  }

  @Test
  void validFractionScoresExactlyTheReviewsThatFinetuneHoldsOut() throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    Path reviews = SyntheticData.reviews(home.resolve("reviews.jsonl"), 48, 5);
    // An unlabelled review in the middle: neither finetune's split nor eval's counts it.
    List<String> lines = new ArrayList<>(Files.readAllLines(reviews));
    lines.add(20, "{\"id\": \"u\", \"label\": null, \"text\": \"no label here\"}");
    Files.write(reviews, lines);
    CommandRun finetune =
        CommandRun.of(
            new FineTuneCommand(),
            "--task",
            "sentiment",
            "--model",
            model.toString(),
            "--train",
            reviews.toString(),
            "--valid-fraction",
            "0.25",
            "--seed",
            "7",
            "--valid-seed",
            "42",
            "--max-steps",
            "1",
            "--batch-size",
            "4",
            "--out",
            home.resolve("tuned").toString());
    assertThat(finetune.exitCode()).as(finetune.stdout()).isZero();
    String finetuneHeldOut = JSON.readTree(finetune.lastLine()).get("held_out_sentiment").asText();

    CommandRun heldOut =
        sentimentRun(model, reviews, "--valid-fraction", "0.25", "--valid-seed", "42");
    List<String> labelled = lines.stream().filter(line -> !line.contains("null")).toList();
    Path written =
        Files.write(
            home.resolve("held-out.jsonl"), FineTuneExamples.holdOut(labelled, 42, 0.25).valid());
    CommandRun sameReviews = sentimentRun(model, written);
    CommandRun whole = sentimentRun(model, reviews);

    assertThat(heldOut.exitCode()).as(heldOut.stdout()).isZero();
    JsonNode result = jsonResult(heldOut);
    assertThat(result.get("held_out").asText()).isEqualTo(finetuneHeldOut);
    assertThat(result.get("examples").asInt()).isEqualTo(12);
    assertThat(heldOut.stdout())
        .contains("scoring the 12 reviews held out of")
        .contains("fingerprint " + finetuneHeldOut);
    JsonNode same = JSON.readTree(sameReviews.lastLine());
    assertThat(result.get("accuracy").asDouble()).isEqualTo(same.get("accuracy").asDouble());
    assertThat(result.get("macro_f1").asDouble()).isEqualTo(same.get("macro_f1").asDouble());
    assertThat(JSON.readTree(whole.lastLine()).get("examples").asInt()).isEqualTo(48);
  }

  @Test
  void unseenByScoresTheTrainingReviewsThatNoRunHeldOutDrewOrCopied() throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    // Reviews of many lengths (so that --max-len changes the batches), and four copies of earlier
    // reviews' texts under new ids, as IMDB has.
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      String text = (i % 2 == 0 ? "bad movie" : "great film") + " very".repeat((i * 7) % 13);
      lines.add("{\"id\": \"r" + i + "\", \"label\": " + i % 2 + ", \"text\": \"" + text + "\"}");
    }
    for (int i = 0; i < 4; i++) {
      lines.add(lines.get(i).replace("\"r" + i + "\"", "\"copy" + i + "\""));
    }
    Path reviews = Files.write(home.resolve("reviews.jsonl"), lines);
    List<String> runs = List.of("7:3:4:16", "9:2:4:8");

    CommandRun unseen =
        sentimentRun(
            model,
            reviews,
            "--valid-fraction",
            "0.25",
            "--valid-seed",
            "42",
            "--unseen-by",
            runs.get(0),
            "--unseen-by",
            runs.get(1));

    // What the two runs trained on, from their split and their draw.
    List<Review> labelled = new ArrayList<>();
    ReviewJsonLines.read(reviews, labelled::add);
    List<Integer> positions = java.util.stream.IntStream.range(0, 52).boxed().toList();
    List<Integer> train = FineTuneExamples.holdOut(positions, 42, 0.25).train();
    java.util.Set<Integer> drawn = new java.util.HashSet<>();
    for (String run : runs) {
      String[] p = run.split(":");
      WordPieceTokenizer tokenizer =
          new WordPieceTokenizer(TinyModelDirectory.vocabulary(), Integer.parseInt(p[3]));
      drawn.addAll(
          TrainingOrder.drawn(
              train,
              i -> tokenizer.encode(labelled.get(i).text()).tokenCount(),
              0,
              Long.parseLong(p[0]),
              Integer.parseInt(p[2]),
              Long.parseLong(p[1])));
    }
    List<String> drawnTexts = drawn.stream().map(i -> labelled.get(i).text()).toList();
    List<Integer> expected =
        train.stream()
            .filter(i -> !drawn.contains(i) && !drawnTexts.contains(labelled.get(i).text()))
            .sorted()
            .toList();
    Path written =
        Files.write(home.resolve("unseen.jsonl"), expected.stream().map(lines::get).toList());
    JsonNode same = JSON.readTree(sentimentRun(model, written).lastLine());

    assertThat(unseen.exitCode()).as(unseen.stdout()).isZero();
    JsonNode result = jsonResult(unseen);
    assertThat(drawn).hasSizeGreaterThan(12); // the second run drew reviews the first did not
    assertThat(expected).isNotEmpty().hasSizeLessThan(39 - drawn.size());
    assertThat(result.get("examples").asInt()).isEqualTo(expected.size());
    assertThat(result.get("unseen").asText()).isEqualTo(FineTuneExamples.fingerprint(expected));
    assertThat(result.get("accuracy").asDouble()).isEqualTo(same.get("accuracy").asDouble());
    assertThat(unseen.stdout())
        .contains(
            "scoring the "
                + expected.size()
                + " reviews of "
                + reviews
                + " that the 2 runs given never trained on (they drew "
                + drawn.size());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "sentiment | --valid-fraction 0.25 | --valid-fraction and --valid-seed go together",
        "sentiment | --valid-seed 42 | --valid-fraction and --valid-seed go together",
        "sentiment | --valid-fraction 1.5 --valid-seed 42 | --valid-fraction must be > 0 and < 1,"
            + " was 1.5",
        "ner | --valid-fraction 0.25 --valid-seed 42 | --valid-fraction and --valid-seed are only"
            + " for --task sentiment",
        "sentiment | --unseen-by 42:800:16:128 | --unseen-by needs the runs' --valid-fraction and"
            + " --valid-seed",
        "sentiment | --valid-fraction 0.25 --valid-seed 42 --unseen-by 42:800:16 | --unseen-by must"
            + " be SEED:STEPS:BATCH:MAX_LEN (finetune's --seed, --max-steps >= 1, --batch-size >= 1,"
            + " --max-len >= 2), was 42:800:16",
      })
  void heldOutOptionsOutOfPlaceAreUsageErrors(String task, String options, String message)
      throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    Path data = SyntheticData.reviews(home.resolve("reviews.jsonl"), 8, 3);

    CommandRun run = evalRun(task, model, data, options.split(" "));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout().lines().findFirst().orElse("")).contains(message);
  }

  /**
   * The JSON line of a run whose stdout also holds, after it here, stderr's note on what it scored.
   */
  private static JsonNode jsonResult(CommandRun run) throws Exception {
    return JSON.readTree(
        run.stdout().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
  }

  private static CommandRun sentimentRun(Path model, Path data, String... options) {
    return evalRun("sentiment", model, data, options);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ner | -1 | --context must be >= 0 word pieces, was -1",
        "sentiment | 4 | --context is only for --task ner",
      })
  void contextThatIsNegativeOrNotForNerIsAUsageError(String task, String value, String message)
      throws Exception {
    Path model = TinyModelDirectory.create(home.resolve("tiny"));
    Path data = SyntheticData.documents(home.resolve("docs.txt"), 1, 2, 9);

    CommandRun run =
        CommandRun.of(
            new EvalCommand(),
            "--task",
            task,
            "--model",
            model.toString(),
            "--data",
            data.toString(),
            "--context",
            value);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout().lines().findFirst().orElse("")).contains(message);
  }

  private static CommandRun nerRun(Path model, Path data, String... options) {
    return evalRun("ner", model, data, options);
  }

  /** {@code eval --task TASK} of {@code model} on {@code data} on the CPU. */
  private static CommandRun evalRun(String task, Path model, Path data, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--task",
                task,
                "--model",
                model.toString(),
                "--data",
                data.toString(),
                "--device",
                "cpu"));
    args.addAll(List.of(options));
    return CommandRun.of(new EvalCommand(), args.toArray(String[]::new));
  }

  /**
   * The library's scores of every sentence of {@code data} tagged on its own, as before context.
   */
  private static EntitySpanScorer scoreAlone(Path model, Path data) throws Exception {
    return scoreAlone(model, data, TagDecoding.BIO);
  }

  private static EntitySpanScorer scoreAlone(Path model, Path data, TagDecoding decoding)
      throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory directory = ModelDirectory.load(model, manager);
      NarrowBertConfig config = directory.config();
      WordPieceTokenizer tokenizer =
          new WordPieceTokenizer(
              directory.vocabulary(), config.maxPositionEmbeddings(), config.truncation());
      List<TaggedSentence> sentences = new ArrayList<>();
      ConllColumns.read(
          data, s -> sentences.add(TaggedSentence.of(s, tokenizer, config.entityLabels())));
      EntityTagger tagger =
          new EntityTagger(
              directory.model(),
              new ParameterStore(manager, false),
              directory.vocabulary().padId());
      tagger.useTagDecoding(decoding);
      return new EntityTask(tagger, config.entityLabels(), false).score(manager, sentences);
    }
  }

  /** 30 synthetic reviews, a short and a long one that sort apart, and an unlabelled one. */
  private Path embeddingData() throws Exception {
    Path data = SyntheticData.reviews(home.resolve("reviews.jsonl"), 30, 3);
    Files.writeString(
        data,
        String.join(
            "\n",
            "{\"id\": 30, \"label\": 0, \"text\": \"bad\"}",
            "{\"id\": 31, \"label\": 1, \"text\": \"the film was great and fun and good\"}",
            "{\"id\": 32, \"label\": null, \"text\": \"the movie\"}",
            ""),
        StandardOpenOption.APPEND);
    return data;
  }

  private static CommandRun embeddingRun(Path data, Path model, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--task",
                "embedding",
                "--data",
                data.toString(),
                "--model",
                model.toString(),
                "--device",
                "cpu"));
    args.addAll(List.of(options));
    return CommandRun.of(new EvalCommand(), args.toArray(String[]::new));
  }
}
