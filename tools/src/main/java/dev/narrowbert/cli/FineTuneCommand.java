package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.pretrained.PretrainedImport;
import dev.narrowbert.tasks.DocumentContext;
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
import dev.narrowbert.training.TrainingCheckpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
 *
 * <p>Long runs survive interruption: a checkpoint of the current weights, the optimizer and the
 * loop's state is saved in {@code --out/resume} every {@code --checkpoint-every} steps, and the
 * same command with {@code --resume} continues exactly where it stopped (same batches, dropout
 * masks and early-stopping state).
 *
 * <p>{@code --ner-context N} reads each CoNLL sentence with up to N word pieces of its document's
 * neighbouring sentences around it ({@link DocumentContext}, FLERT); the labels and the validation
 * score stay on the sentence's own words. A resume must give the same N.
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

  @Mixin private DeviceSelection device;

  @Mixin private DerivedModelOptions models;

  @Option(
      names = "--task",
      required = true,
      description =
          "sentiment, ner, or joint (both heads and the encoder at once: reviews in --train,"
              + " CoNLL in --ner-train and --ner-valid).")
  private String task;

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
      names = "--valid-seed",
      description =
          "Seed of the --valid-fraction split (default: --seed). Give an earlier stage's seed to"
              + " keep its held-out examples while --seed draws a new order.")
  private Long validSeed;

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

  @Option(
      names = "--ner-context",
      paramLabel = "N",
      description =
          "ner, joint: read each CoNLL sentence (training and validation) with up to N word pieces"
              + " in all of the neighbouring sentences of its document (FLERT): about half before,"
              + " half after, whole words, never across -DOCSTART-, at most what --max-len leaves"
              + " beside the sentence. Only the sentence's own words are tagged and scored."
              + " Default 0: each sentence alone.")
  private Integer nerContext;

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

  @Option(
      names = "--seed",
      defaultValue = "42",
      description =
          "Seed of order and dropout (and of the --valid-fraction split, unless --valid-seed).")
  private long seed;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "100",
      paramLabel = "STEPS",
      description =
          "Save a resumable checkpoint in --out/resume every STEPS steps (default"
              + " ${DEFAULT-VALUE}; 0: none); it is deleted when the run finishes.")
  private long checkpointEvery;

  @Option(
      names = "--stop-after",
      paramLabel = "STEP",
      description = "Checkpoint and stop after this step; continue later with --resume.")
  private Long stopAfter;

  @Option(
      names = "--resume",
      description =
          "Continue the unfinished run in --out from its checkpoint: give the same command"
              + " (model, data, settings) again, with --resume.")
  private boolean resume;

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
      resolved = device.resolve();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Files.createDirectories(models.out());
    Path checkpoint = FineTuningLoop.resumeDirectory(models.out());
    if (resume && !TrainingCheckpoint.exists(checkpoint)) {
      throw new ParameterException(
          spec.commandLine(),
          "--resume: no checkpoint in " + checkpoint + " (the run finished, or never saved one)");
    }
    if (!resume && TrainingCheckpoint.exists(checkpoint)) {
      throw new ParameterException(
          spec.commandLine(),
          "--out " + models.out() + " holds an unfinished run: pass --resume or a new DIR");
    }
    try (NDManager manager = NDManager.newBaseManager(resolved)) {
      // A resumed run continues from the checkpoint's weights, not from --model's.
      ModelDirectory start = ModelDirectory.load(resume ? checkpoint : models.model(), manager);
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
      long splitSeed = validSeed == null ? seed : validSeed;
      FineTuneExamples examples = new FineTuneExamples(tokenizer, err, splitSeed, validFraction);
      // Recorded only where it differs from --seed, so that earlier checkpoints still resume.
      Map<String, String> splitSettings =
          validSeed == null || validSeed == seed
              ? Map.of()
              : Map.of("valid_seed", Long.toString(validSeed));
      List<FineTuningObjective<?>> objectives = new ArrayList<>();
      Map<String, String> heldOut = new java.util.LinkedHashMap<>();
      if (!task.equals(NER)) {
        SentimentTask sentiment =
            new SentimentTask(
                new SentimentClassifier(start.model(), ps, padId),
                config.sentimentLabels().size(),
                headOnly);
        FineTuneExamples.Split<SentimentExample> reviews =
            examples.split(examples.reviews(train), valid == null ? null : examples.reviews(valid));
        heldOut.put(sentiment.name(), reviews.heldOut());
        objectives.add(
            new FineTuningObjective<>(
                sentiment, reviews.train(), reviews.valid(), 1, splitSettings));
      }
      if (!task.equals(SENTIMENT)) {
        int contextPieces = nerContext == null ? 0 : nerContext;
        EntityTask entities =
            new EntityTask(
                new EntityTagger(start.model(), ps, padId),
                config.entityLabels(),
                headOnly,
                contextPieces);
        DocumentContext context =
            new DocumentContext(tokenizer, config.entityLabels(), contextPieces);
        FineTuneExamples.Split<TaggedSentence> split =
            task.equals(NER)
                ? examples.split(
                    examples.sentences(train, context),
                    valid == null ? null : examples.sentences(valid, context))
                : examples.split(
                    examples.sentences(nerTrain, context), examples.sentences(nerValid, context));
        heldOut.put(entities.name(), split.heldOut());
        objectives.add(
            new FineTuningObjective<>(
                entities,
                split.train(),
                split.valid(),
                nerWeight == null ? 1 : nerWeight,
                task.equals(NER) ? splitSettings : Map.of()));
      }
      for (FineTuningObjective<?> objective : objectives) {
        String name = objective.task().name();
        err.printf(
            Locale.ROOT,
            "%s: %d training and %d validation examples%s%n",
            name,
            objective.train().size(),
            objective.valid().size(),
            heldOut.get(name) == null
                ? ""
                : " (held out of --train with seed "
                    + splitSeed
                    + ", fingerprint "
                    + heldOut.get(name)
                    + ")");
      }
      FineTuningLoop loop =
          new FineTuningLoop(
                  start.model(), start.vocabulary(), objectives, settings, models.out(), err)
              .withChart(LossChart::write)
              .withCheckpoints(checkpointEvery, stopAfter == null ? Long.MAX_VALUE : stopAfter);
      FineTuningLoop.Result result;
      try {
        result = resume ? loop.resume(manager) : loop.run(manager);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      JsonLine line = new JsonLine().put("task", task);
      for (Map.Entry<String, Double> figure : result.bestValidation().entrySet()) {
        line.putFixed("best_" + figure.getKey(), figure.getValue(), 5);
      }
      line.put("best_step", result.bestStep()).put("steps", result.steps());
      heldOut.forEach(
          (name, fingerprint) -> {
            if (fingerprint != null) {
              line.put("held_out_" + name, fingerprint);
            }
          });
      spec.commandLine().getOut().println(line);
    }
    // Fine-tuned weights still derive from the start model's: its NOTICE goes with them.
    PretrainedImport.copyNotice(models.model(), models.out());
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
    if (nerContext != null && task.equals(SENTIMENT)) {
      throw new ParameterException(
          spec.commandLine(), "--ner-context is for --task ner and joint only");
    }
    if (nerContext != null && nerContext < 0) {
      throw new ParameterException(
          spec.commandLine(), "--ner-context must be >= 0 word pieces, was " + nerContext);
    }
    if (nerWeight != null && !(nerWeight > 0 && Float.isFinite(nerWeight))) {
      throw new ParameterException(spec.commandLine(), "--ner-weight must be > 0");
    }
    if ((valid == null) == (validFraction == null)) {
      throw new ParameterException(
          spec.commandLine(), "give exactly one of --valid FILE and --valid-fraction X");
    }
    if (checkpointEvery < 0 || (stopAfter != null && stopAfter < 1)) {
      throw new ParameterException(
          spec.commandLine(), "--checkpoint-every must be >= 0 and --stop-after >= 1");
    }
    if (validFraction != null && !(validFraction > 0 && validFraction < 1)) {
      throw new ParameterException(spec.commandLine(), "--valid-fraction must be in (0, 1)");
    }
    if (validSeed != null && validFraction == null) {
      throw new ParameterException(
          spec.commandLine(),
          "--valid-seed seeds the --valid-fraction split; with --valid FILE there is none");
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
    models.checkOutDiffersFromModel();
  }
}
