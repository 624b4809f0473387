package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.ConllColumns;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.evaluation.EntityTagger;
import dev.narrowbert.evaluation.SentimentClassifier;
import dev.narrowbert.inference.DeviceOption;
import dev.narrowbert.model.ModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.training.EntityTask;
import dev.narrowbert.training.FineTuningLoop;
import dev.narrowbert.training.FineTuningSettings;
import dev.narrowbert.training.FineTuningTask;
import dev.narrowbert.training.SentimentExample;
import dev.narrowbert.training.SentimentTask;
import dev.narrowbert.training.TaggedSentence;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
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
 * checkpoint in {@code --out}. The other head's weights are carried over unchanged, so fine-tuning
 * NER on a sentiment model yields a directory with both heads (see the README for the trade-off).
 */
@Command(
    name = "finetune",
    mixinStandardHelpOptions = true,
    description = "Fine-tunes the sentiment or NER head (and the encoder) of a model directory.")
public final class FineTuneCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = "--task", required = true, description = "sentiment or ner.")
  private String task;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Start model.")
  private Path model;

  @Option(
      names = "--train",
      required = true,
      paramLabel = "FILE",
      description = "Review JSON lines with labels (sentiment) or CoNLL columns (ner).")
  private Path train;

  @Option(names = "--valid", paramLabel = "FILE", description = "Validation file, same format.")
  private Path valid;

  @Option(
      names = "--valid-fraction",
      description = "Instead of --valid: hold out this seeded fraction of --train.")
  private Double validFraction;

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
          "Train only this task's head, encoder frozen: refits a head on an encoder that the"
              + " other task's fine-tuning has moved, without undoing that training.")
  private boolean headOnly;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of order and dropout.")
  private long seed;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N.")
  private String device;

  @Override
  public Integer call() throws IOException {
    PrintStream err = System.err;
    if (!task.equals("sentiment") && !task.equals("ner")) {
      throw new ParameterException(spec.commandLine(), "--task must be sentiment or ner");
    }
    if ((valid == null) == (validFraction == null)) {
      throw new ParameterException(
          spec.commandLine(), "give exactly one of --valid FILE and --valid-fraction X");
    }
    if (validFraction != null && !(validFraction > 0 && validFraction < 1)) {
      throw new ParameterException(spec.commandLine(), "--valid-fraction must be in (0, 1)");
    }
    for (Path file : valid == null ? List.of(train) : List.of(train, valid)) {
      if (!Files.isRegularFile(file)) {
        throw new ParameterException(spec.commandLine(), file + " is not a file");
      }
    }
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new ParameterException(spec.commandLine(), "--out must differ from --model");
    }
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
      WordPieceTokenizer tokenizer = new WordPieceTokenizer(start.vocabulary(), length);
      ParameterStore ps = new ParameterStore(manager, false);
      int padId = start.vocabulary().padId();
      FineTuningLoop.Result result;
      String metric;
      if (task.equals("sentiment")) {
        SentimentTask sentiment =
            new SentimentTask(
                new SentimentClassifier(start.model(), ps, padId),
                config.sentimentLabels().size(),
                headOnly);
        List<List<SentimentExample>> split = split(reviews(train, tokenizer, err));
        if (valid != null) {
          split = List.of(split.get(0), reviews(valid, tokenizer, err));
        }
        metric = sentiment.metricName();
        result = run(start, sentiment, settings, split, manager, err);
      } else {
        EntityTask entities =
            new EntityTask(
                new EntityTagger(start.model(), ps, padId), config.entityLabels(), headOnly);
        List<List<TaggedSentence>> split =
            split(sentences(train, tokenizer, config.entityLabels(), err));
        if (valid != null) {
          split = List.of(split.get(0), sentences(valid, tokenizer, config.entityLabels(), err));
        }
        metric = entities.metricName();
        result = run(start, entities, settings, split, manager, err);
      }
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "{\"task\":\"%s\",\"best_valid_%s\":%.5f,\"best_step\":%d,\"steps\":%d}%n",
              task,
              metric,
              result.bestScore(),
              result.bestStep(),
              result.steps());
    }
    return 0;
  }

  private <E> FineTuningLoop.Result run(
      ModelDirectory start,
      FineTuningTask<E> fineTuningTask,
      FineTuningSettings settings,
      List<List<E>> split,
      NDManager manager,
      PrintStream err)
      throws IOException {
    err.printf(
        Locale.ROOT,
        "%s: %d training and %d validation examples%n",
        task,
        split.get(0).size(),
        split.get(1).size());
    return new FineTuningLoop<>(
            start.model(), start.vocabulary(), fineTuningTask, settings, out, err)
        .run(manager, split.get(0), split.get(1));
  }

  /** [train, valid]: all of {@code examples} and nothing, or a seeded --valid-fraction split. */
  private <E> List<List<E>> split(List<E> examples) {
    if (validFraction == null) {
      return List.of(examples, List.of());
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

  private static List<TaggedSentence> sentences(
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
