package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.ConllColumns;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.inference.DeviceOption;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.pretrained.PretrainedImport;
import dev.narrowbert.tasks.EntityTagger;
import dev.narrowbert.tasks.EntityTask;
import dev.narrowbert.tasks.SentimentClassifier;
import dev.narrowbert.tasks.SentimentExample;
import dev.narrowbert.tasks.SentimentTask;
import dev.narrowbert.tasks.TaggedSentence;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.training.FineTuningLoop;
import dev.narrowbert.training.FineTuningObjective;
import dev.narrowbert.training.FineTuningSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert finetune --task sentiment|ner --model DIR --train FILE --valid FILE --out DIR}:
 * fine-tunes one head and the shared encoder ({@link FineTuningLoop}), keeping the best validation
 * checkpoint in {@code --out}. The other head's weights are carried over unchanged, but the encoder
 * moves, so fine-tuning NER after sentiment costs the sentiment head its accuracy.
 *
 * <p>{@code --task joint} trains the encoder and both heads together, so that one directory serves
 * both: reviews in {@code --train} (and {@code --valid} or {@code --valid-fraction}), CoNLL
 * sentences in {@code --ner-train} and {@code --ner-valid}. Each step sums the sentiment loss and
 * {@code --ner-weight} times the NER loss; the kept checkpoint has the best mean of validation
 * accuracy and entity F1 ({@link FineTuningLoop} says why).
 */
@Command(
    name = "finetune",
    mixinStandardHelpOptions = true,
    description =
        "Fine-tunes the sentiment or NER head (and the encoder) of a model directory, or both"
            + " heads and the encoder together (--task joint).")
public final class FineTuneCommand implements Callable<Integer> {

  private static final String SENTIMENT = "sentiment";
  private static final String NER = "ner";
  private static final String JOINT = "joint";

  @Spec private CommandSpec spec;

  @Option(
      names = "--task",
      required = true,
      description =
          "sentiment, ner, or joint (both heads and the encoder at once: reviews in --train,"
              + " CoNLL in --ner-train and --ner-valid).")
  private String task;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Start model.")
  private Path model;

  @Option(
      names = "--train",
      required = true,
      paramLabel = "FILE",
      description = "Review JSON lines with labels (sentiment, joint) or CoNLL columns (ner).")
  private Path train;

  @Option(names = "--valid", paramLabel = "FILE", description = "Validation file, as --train.")
  private Path valid;

  @Option(
      names = "--valid-fraction",
      description = "Instead of --valid: hold out this seeded fraction of --train.")
  private Double validFraction;

  @Option(
      names = "--ner-train",
      paramLabel = "FILE",
      description = "joint: CoNLL columns to train the NER head on.")
  private Path nerTrain;

  @Option(
      names = "--ner-valid",
      paramLabel = "FILE",
      description = "joint: CoNLL columns to validate NER on.")
  private Path nerValid;

  @Option(
      names = "--ner-weight",
      paramLabel = "W",
      description = "joint: weight of the NER loss beside the sentiment loss's 1 (default 1).")
  private Float nerWeight;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "New model dir.")
  private Path out;

  @Option(names = "--epochs", defaultValue = "3", description = "Passes over --train.")
  private int epochs;

  @Option(names = "--lr", defaultValue = "1e-4", description = "Peak learning rate.")
  private float learningRate;

  @Option(names = "--max-len", description = "Tokens per example (default: the model's).")
  private Integer maxLength;

  @Option(names = "--batch-size", defaultValue = "32", description = "Examples per step.")
  private int batchSize;

  @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay.")
  private float weightDecay;

  @Option(names = "--eval-every", defaultValue = "0", description = "Steps; 0 = each epoch.")
  private int evaluateEvery;

  @Option(names = "--patience", defaultValue = "2", description = "Validations to wait.")
  private int patience;

  @Option(names = "--max-steps", defaultValue = "0", description = "Step limit; 0 = none.")
  private long maxSteps;

  @Option(
      names = "--head-only",
      description =
          "Train only this task's head (joint: both heads), encoder frozen: refits a head on an"
              + " encoder that the other task's fine-tuning has moved, without undoing that"
              + " training.")
  private boolean headOnly;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of order and dropout.")
  private long seed;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N.")
  private String device;

  @Override
  public Integer call() throws IOException {
    PrintStream err = System.err;
    checkArguments();
    FineTuningSettings settings;
    ai.djl.Device resolved;
    try {
      settings =
          new FineTuningSettings(
              epochs,
              batchSize,
              learningRate,
              weightDecay,
              1.0f,
              seed,
              evaluateEvery,
              patience,
              maxSteps);
      resolved = DeviceOption.resolve(device);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Files.createDirectories(out);
    try (NDManager manager = NDManager.newBaseManager(resolved)) {
      ModelDirectory start = ModelDirectory.load(model, manager);
      NarrowBertConfig config = start.config();
      int length = maxLength == null ? config.maxPositionEmbeddings() : maxLength;
      if (length < 2 || length > config.maxPositionEmbeddings()) {
        throw new ParameterException(
            spec.commandLine(),
            "--max-len must be in [2, " + config.maxPositionEmbeddings() + "], was " + length);
      }
      WordPieceTokenizer tokenizer =
          new WordPieceTokenizer(start.vocabulary(), length, config.truncation());
      ParameterStore ps = new ParameterStore(manager, false);
      int padId = start.vocabulary().padId();
      List<FineTuningObjective<?>> objectives = new ArrayList<>();
      if (!task.equals(NER)) {
        SentimentTask sentiment =
            new SentimentTask(
                new SentimentClassifier(start.model(), ps, padId),
                config.sentimentLabels().size(),
                headOnly);
        List<List<SentimentExample>> split =
            split(
                reviews(train, tokenizer, err),
                valid == null ? null : reviews(valid, tokenizer, err));
        objectives.add(FineTuningObjective.of(sentiment, split.get(0), split.get(1)));
      }
      if (!task.equals(SENTIMENT)) {
        EntityTask entities =
            new EntityTask(
                new EntityTagger(start.model(), ps, padId), config.entityLabels(), headOnly);
        List<String> labels = config.entityLabels();
        List<List<TaggedSentence>> split =
            task.equals(NER)
                ? split(
                    sentences(train, tokenizer, labels, err),
                    valid == null ? null : sentences(valid, tokenizer, labels, err))
                : List.of(
                    sentences(nerTrain, tokenizer, labels, err),
                    sentences(nerValid, tokenizer, labels, err));
        objectives.add(
            new FineTuningObjective<>(
                entities, split.get(0), split.get(1), nerWeight == null ? 1 : nerWeight));
      }
      for (FineTuningObjective<?> objective : objectives) {
        err.printf(
            Locale.ROOT,
            "%s: %d training and %d validation examples%n",
            objective.task().name(),
            objective.train().size(),
            objective.valid().size());
      }
      FineTuningLoop.Result result =
          new FineTuningLoop(start.model(), start.vocabulary(), objectives, settings, out, err)
              .withChart(LossChart::write)
              .run(manager);
      StringBuilder line = new StringBuilder("{\"task\":\"" + task + "\"");
      for (Map.Entry<String, Double> figure : result.bestValidation().entrySet()) {
        line.append(
            String.format(Locale.ROOT, ",\"best_%s\":%.5f", figure.getKey(), figure.getValue()));
      }
      line.append(",\"best_step\":").append(result.bestStep());
      line.append(",\"steps\":").append(result.steps()).append('}');
      spec.commandLine().getOut().println(line);
    }
    // Fine-tuned weights still derive from the start model's: its NOTICE goes with them.
    PretrainedImport.copyNotice(model, out);
    return 0;
  }

  /** Usage errors that need no model or data: one line naming the problem. */
  private void checkArguments() {
    if (!List.of(SENTIMENT, NER, JOINT).contains(task)) {
      throw new ParameterException(spec.commandLine(), "--task must be sentiment, ner or joint");
    }
    boolean nerOptions = nerTrain != null || nerValid != null || nerWeight != null;
    if (task.equals(JOINT) && (nerTrain == null || nerValid == null)) {
      throw new ParameterException(
          spec.commandLine(), "--task joint needs --ner-train FILE and --ner-valid FILE");
    }
    if (!task.equals(JOINT) && nerOptions) {
      throw new ParameterException(
          spec.commandLine(),
          "--ner-train, --ner-valid and --ner-weight are for --task joint only; --task "
              + task
              + " reads --train and --valid");
    }
    if (nerWeight != null && !(nerWeight > 0 && Float.isFinite(nerWeight))) {
      throw new ParameterException(spec.commandLine(), "--ner-weight must be > 0");
    }
    if ((valid == null) == (validFraction == null)) {
      throw new ParameterException(
          spec.commandLine(), "give exactly one of --valid FILE and --valid-fraction X");
    }
    if (validFraction != null && !(validFraction > 0 && validFraction < 1)) {
      throw new ParameterException(spec.commandLine(), "--valid-fraction must be in (0, 1)");
    }
    List<Path> files = new ArrayList<>(List.of(train));
    for (Path file : new Path[] {valid, nerTrain, nerValid}) {
      if (file != null) {
        files.add(file);
      }
    }
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        throw new ParameterException(spec.commandLine(), file + " is not a file");
      }
    }
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new ParameterException(spec.commandLine(), "--out must differ from --model");
    }
  }

  /**
   * [train, valid]: {@code examples} and {@code validExamples}, or a seeded --valid-fraction split.
   */
  private <E> List<List<E>> split(List<E> examples, List<E> validExamples) {
    if (validExamples != null) {
      return List.of(examples, validExamples);
    }
    List<E> shuffled = new ArrayList<>(examples);
    Collections.shuffle(shuffled, new Random(seed));
    int held = (int) Math.round(shuffled.size() * validFraction);
    return List.of(shuffled.subList(held, shuffled.size()), shuffled.subList(0, held));
  }

  private List<SentimentExample> reviews(Path file, WordPieceTokenizer tokenizer, PrintStream err)
      throws IOException {
    List<SentimentExample> examples = new ArrayList<>();
    long[] unlabelled = new long[1];
    BadLineReport report =
        ReviewJsonLines.read(
            file,
            review -> {
              if (review.label() == null) {
                unlabelled[0]++;
              } else {
                examples.add(new SentimentExample(tokenizer.encode(review.text()), review.label()));
              }
            });
    reportProblems(report, err);
    if (unlabelled[0] > 0) {
      err.printf("%s: %d reviews without a label skipped%n", file, unlabelled[0]);
    }
    if (examples.isEmpty()) {
      throw new IOException(file + " has no labelled reviews");
    }
    return examples;
  }

  static List<TaggedSentence> sentences(
      Path file, WordPieceTokenizer tokenizer, List<String> labels, PrintStream err)
      throws IOException {
    List<TaggedSentence> examples = new ArrayList<>();
    BadLineReport report =
        ConllColumns.read(file, s -> examples.add(TaggedSentence.of(s, tokenizer, labels)));
    reportProblems(report, err);
    if (examples.isEmpty()) {
      throw new IOException(file + " has no sentences");
    }
    return examples;
  }

  private static void reportProblems(BadLineReport report, PrintStream err) {
    if (report.badLines() > 0) {
      err.println(report.summary());
    }
  }
}
