package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import dev.narrowbert.training.AdamW;
import dev.narrowbert.training.BlockTraining;
import dev.narrowbert.training.MaskedLmObjective;
import dev.narrowbert.training.MaskedLmPretraining;
import dev.narrowbert.training.MetricsLog;
import dev.narrowbert.training.PackedBlocks;
import dev.narrowbert.training.PretrainingSettings;
import dev.narrowbert.training.TrainingCheckpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert pretrain --corpus FILE... --config PRESET|config.json --out DIR}: masked-LM
 * pretraining ({@link MaskedLmPretraining}) with checkpoints, {@code metrics.jsonl}, {@code
 * loss.png} and exact {@code --resume}.
 */
@Command(
    name = "pretrain",
    mixinStandardHelpOptions = true,
    description = "Masked-LM pretraining of a NarrowBERT/BERT encoder on review or text corpora.")
public final class PretrainCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private DeviceSelection device;

  @Mixin private CorpusOptions corpus;

  @Mixin private BlockTrainingOptions training;

  @Option(
      names = "--config",
      defaultValue = "mini",
      description = "Preset (tiny, mini, base) or a config.json (default: ${DEFAULT-VALUE}).")
  private String config;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory.")
  private Path out;

  @Option(names = "--batch-size", defaultValue = "32", description = "Blocks per step.")
  private int batchSize;

  @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate.")
  private float learningRate;

  @Option(names = "--mask-rate", defaultValue = "0.15", description = "Fraction predicted.")
  private float maskRate;

  @Option(
      names = "--init-from",
      paramLabel = "DIR",
      description =
          "Start from this model directory's weights and config (new schedule and optimizer);"
              + " --config is then ignored.")
  private Path initFrom;

  @Option(names = "--layer-stack", description = "Override the stack, e.g. sfsf:sfsf.")
  private String layerStack;

  @Option(
      names = "--vocab",
      paramLabel = "FILE",
      description = "vocab.txt (default: the bundled bert-base-uncased vocabulary).")
  private Path vocab;

  @Override
  public Integer call() throws IOException {
    PrintStream err = System.err;
    PretrainingSettings settings = settings();
    corpus.check();
    if (initFrom != null && layerStack != null) {
      throw new ParameterException(
          spec.commandLine(), "--layer-stack cannot change a model loaded with --init-from");
    }
    long startStep = training.startStep(out, settings, PretrainingSettings.class);
    try (NDManager manager = NDManager.newBaseManager(device.resolve())) {
      NarrowBertModel model;
      WordPieceVocabulary vocabulary;
      AdamW optimizer = new AdamW(manager, 0.9f, 0.999f, 1e-6f, training.weightDecay());
      if (training.resume()) {
        ModelDirectory checkpoint = ModelDirectory.load(out, manager);
        model = checkpoint.model();
        vocabulary = checkpoint.vocabulary();
        TrainingCheckpoint.loadOptimizer(out, optimizer);
      } else if (initFrom != null) {
        ModelDirectory start = ModelDirectory.load(initFrom, manager);
        model = start.model();
        vocabulary = start.vocabulary();
      } else {
        vocabulary =
            vocab == null ? WordPieceVocabulary.bertBaseUncased() : WordPieceVocabulary.load(vocab);
        model = new NarrowBertModel(modelConfig(vocabulary));
        model.initializeWeights(manager, (int) training.seed());
      }
      if (training.sequenceLength() > model.config().maxPositionEmbeddings()) {
        throw new ParameterException(
            spec.commandLine(),
            "--seq-len "
                + training.sequenceLength()
                + " > max_position_embeddings "
                + model.config().maxPositionEmbeddings());
      }
      PackedBlocks blocks =
          corpus.blocks(out, vocabulary, training.sequenceLength(), training.heldOutBlocks(), err);
      err.printf(
          Locale.ROOT,
          "%d training blocks of %d tokens (%d held out); %s; steps %d..%d%n",
          blocks.trainingBlocks(),
          training.sequenceLength(),
          blocks.heldOutBlocks(),
          model.config().layerStack(),
          startStep,
          settings.schedule().totalSteps());
      try (MetricsLog metrics = training.metrics(out, startStep)) {
        MaskedLmObjective.Evaluation last =
            new BlockTraining<>(
                    new MaskedLmPretraining(manager, model, vocabulary, settings),
                    blocks,
                    settings,
                    vocabulary,
                    out,
                    err)
                .withChart(LossChart::write)
                .run(manager, optimizer, startStep, training.stopAfter(), metrics);
        spec.commandLine()
            .getOut()
            .println(
                new JsonLine()
                    .put("out", out.toString())
                    .putFixed("eval_loss", last == null ? null : (Double) last.loss(), 5)
                    .putFixed("eval_accuracy", last == null ? null : (Double) last.accuracy(), 5));
      }
    }
    return 0;
  }

  private PretrainingSettings settings() {
    return new PretrainingSettings(training.schedule(batchSize, learningRate), maskRate);
  }

  private NarrowBertConfig modelConfig(WordPieceVocabulary vocabulary) throws IOException {
    NarrowBertConfig base;
    try {
      base =
          config.endsWith(".json")
              ? NarrowBertConfig.load(Path.of(config))
              : NarrowBertConfig.preset(config, 1, "");
      if (layerStack != null) {
        base = base.withLayerStack(layerStack);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return base.withVocab(vocabulary.size(), vocabulary.sha256());
  }
}
