package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.ConllColumns;
import dev.narrowbert.data.ConllSentence;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.pretrained.PretrainedImport;
import dev.narrowbert.tasks.EntityGateTraining;
import dev.narrowbert.tasks.TaggedSentence;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.training.MetricsLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert gate --model DIR --ner-train FILE --ner-valid FILE --out DIR}: adds an entity
 * gate to a fine-tuned model (see {@link EntityGateTraining}). The encoder and both heads are
 * copied unchanged; the gate's threshold is chosen on {@code --ner-valid} for {@code --recall}.
 */
@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    description =
        "Trains the entity gate of a fine-tuned model on its frozen encoder: only the words the gate"
            + " passes become NER queries of the narrow layers.")
public final class EntityGateCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private DerivedModelOptions models;

  @Option(
      names = "--ner-train",
      required = true,
      paramLabel = "FILE",
      description = "CoNLL columns to train the gate on.")
  private Path train;

  @Option(
      names = "--ner-valid",
      required = true,
      paramLabel = "FILE",
      description = "CoNLL columns to choose the threshold on (never the test set).")
  private Path valid;

  @Option(
      names = "--recall",
      defaultValue = "0.99",
      description =
          "Share of validation entity words the gate must pass (default ${DEFAULT-VALUE}).")
  private double recall;

  @Option(names = "--hidden", defaultValue = "256", description = "Gate hidden width.")
  private int hidden;

  @Option(names = "--epochs", defaultValue = "4", description = "Passes over the training words.")
  private int epochs;

  @Option(names = "--batch-size", defaultValue = "256", description = "Words per step.")
  private int batchSize;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate.")
  private float learningRate;

  @Option(
      names = "--store",
      defaultValue = "fp16",
      description =
          "Number format of the weights on disk, fp16 or fp32 (default ${DEFAULT-VALUE}).")
  private String store;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of order and initialisation.")
  private long seed;

  @Override
  public Integer call() throws IOException {
    EntityGateTraining.Settings settings;
    Precision stored;
    try {
      settings =
          new EntityGateTraining.Settings(hidden, epochs, batchSize, learningRate, recall, seed);
      stored = Precision.parse(store);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    for (Path file : List.of(train, valid)) {
      if (!Files.isRegularFile(file)) {
        throw new ParameterException(spec.commandLine(), file + " is not a file");
      }
    }
    models.checkOutDiffersFromModel();
    Files.createDirectories(models.out());
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory start = ModelDirectory.load(models.model(), manager);
      NarrowBertConfig config = start.config();
      if (!config.stack().isNarrow()) {
        throw new ParameterException(
            spec.commandLine(),
            "--model has layer_stack " + config.layerStack() + ": a gate needs a narrow stack (:)");
      }
      WordPieceTokenizer tokenizer =
          new WordPieceTokenizer(
              start.vocabulary(), config.maxPositionEmbeddings(), config.truncation());
      List<TaggedSentence> trainSentences;
      List<TaggedSentence> validSentences;
      try {
        trainSentences = sentences(train, tokenizer, config);
        validSentences = sentences(valid, tokenizer, config);
      } catch (IllegalArgumentException e) { // a tag the model does not know
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      EntityGateTraining.Result result;
      try (MetricsLog log = MetricsLog.create(models.out().resolve("gate-metrics.jsonl"))) {
        try {
          result =
              new EntityGateTraining(start.model(), start.vocabulary().padId())
                  .run(manager, trainSentences, validSentences, settings, log);
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        LossChart.write(
            models.out().resolve("gate-loss.png"),
            "entity gate training",
            log,
            Map.of("train loss", "loss"));
      }
      stored.castWeights(result.model(), manager);
      ModelDirectory.save(result.model(), start.vocabulary(), models.out());
      spec.commandLine()
          .getOut()
          .println(
              new JsonLine()
                  .putFixed("threshold", result.model().config().entityGate().threshold(), 6)
                  .putFixed(
                      "lower_case_threshold",
                      result.model().config().entityGate().lowerCaseThreshold(),
                      6)
                  .putFixed("validation_entity_word_recall", result.validationRecall(), 5)
                  .putFixed("validation_query_share", result.validationQueryShare(), 5)
                  .putFixed("lower_case_entity_word_recall", result.lowerCaseRecall(), 5)
                  .putFixed("lower_case_query_share", result.lowerCaseQueryShare(), 5)
                  .put("train_words", result.trainWords())
                  .put("train_entity_words", result.trainEntityWords()));
    }
    PretrainedImport.copyNotice(models.model(), models.out());
    return 0;
  }

  /** The file's sentences, and the same packed into texts as long as the model takes. */
  private static List<TaggedSentence> sentences(
      Path file, WordPieceTokenizer tokenizer, NarrowBertConfig config) throws IOException {
    List<ConllSentence> sentences = new ArrayList<>();
    BadLineReport report = ConllColumns.read(file, sentences::add);
    if (report.badLines() > 0) {
      System.err.println(report.summary());
    }
    if (sentences.isEmpty()) {
      throw new IOException(file + " has no sentences");
    }
    return EntityGateTraining.withPackedTexts(
        sentences, tokenizer, config.entityLabels(), config.maxPositionEmbeddings());
  }
}
