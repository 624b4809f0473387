package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.checkpoint.Sha256;
import dev.narrowbert.model.LayerStack;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.pretrained.PretrainedImport;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import dev.narrowbert.training.AdamW;
import dev.narrowbert.training.BlockTraining;
import dev.narrowbert.training.Distillation;
import dev.narrowbert.training.DistillationObjective;
import dev.narrowbert.training.DistillationSettings;
import dev.narrowbert.training.DistillationTargets;
import dev.narrowbert.training.MetricsLog;
import dev.narrowbert.training.TrainingBlocks;
import dev.narrowbert.training.TrainingCheckpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
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
 * {@code narrowbert distill --teacher DIR --out DIR --corpus FILE...}: teaches a NarrowBERT student
 * (by default the teacher's own weights with 2 full layers, the rest narrow) to reproduce the
 * frozen teacher's final states ({@link Distillation}) and, with {@code --head-weight}, its heads'
 * soft targets, on packed blocks or one review per block ({@code --blocks}), with checkpoints,
 * {@code metrics.jsonl}, {@code loss.png} and exact {@code --resume}, as {@code pretrain} has.
 * {@code --out} ends as a loadable model directory: the student, with the heads it started with
 * (or, with {@code --head-weight}, heads trained on the teacher's soft targets).
 */
@Command(
    name = "distill",
    mixinStandardHelpOptions = true,
    description =
        "Distils a model (e.g. the weights run as BERT) into a NarrowBERT student by matching"
            + " its final states and, with --head-weight, its heads' soft targets.")
public final class DistillCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private DeviceSelection device;

  @Mixin private CorpusOptions corpus;

  @Mixin private BlockTrainingOptions training;

  @Option(
      names = "--teacher",
      required = true,
      paramLabel = "DIR",
      description = "Model directory of the teacher (frozen; normally a full BERT stack).")
  private Path teacher;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory.")
  private Path out;

  @Option(
      names = "--student",
      paramLabel = "DIR",
      description = "Model directory to start the student from (default: the teacher's weights).")
  private Path student;

  @Option(
      names = "--layer-stack",
      description =
          "The student's stack (default: the student's own; without --student the teacher's"
              + " layers with 2 full, the rest narrow, e.g. sfsf:sfsfsfsf).")
  private String layerStack;

  @Option(names = "--batch-size", defaultValue = "16", description = "Blocks per step.")
  private int batchSize;

  @Option(names = "--lr", defaultValue = "1e-4", description = "Peak learning rate.")
  private float learningRate;

  @Option(
      names = "--query-rate",
      defaultValue = "0.15",
      description = "Share of positions compared besides [CLS] (default: ${DEFAULT-VALUE}).")
  private float queryRate;

  @Option(
      names = "--blocks",
      defaultValue = "packed",
      paramLabel = "packed|reviews",
      description =
          "packed: blocks cut from the document stream, across reviews; reviews: one review per"
              + " block as the sentiment head reads it ([CLS], its first word pieces up to"
              + " --seq-len, [SEP], padding masked), --batch-size reviews a step"
              + " (default: ${DEFAULT-VALUE}).")
  private String blocks;

  @Option(
      names = "--head-weight",
      defaultValue = "0",
      paramLabel = "W",
      description =
          "Weight of the heads' soft targets (Hinton et al. 2015): W * T^2 * KL(teacher || student)"
              + " of the sentiment logits at [CLS] plus the entity tag logits at the queries."
              + " W > 0 trains those heads too; 0 keeps them frozen (default: ${DEFAULT-VALUE}).")
  private float headWeight;

  @Option(
      names = "--temperature",
      defaultValue = "2",
      paramLabel = "T",
      description =
          "Softens both models' head logits for --head-weight (default: ${DEFAULT-VALUE}).")
  private float temperature;

  @Override
  public Integer call() throws IOException {
    PrintStream err = System.err;
    corpus.check();
    NarrowBertConfig teacherConfig = config("--teacher", teacher);
    NarrowBertConfig studentConfig = student == null ? teacherConfig : config("--student", student);
    if (teacherConfig.hiddenSize() != studentConfig.hiddenSize()) {
      throw usage(
          "--student has hidden size "
              + studentConfig.hiddenSize()
              + " but --teacher has hidden size "
              + teacherConfig.hiddenSize()
              + ": distillation compares their states, which need one size");
    }
    if (!teacherConfig.vocabHash().equals(studentConfig.vocabHash())
        || teacherConfig.vocabSize() != studentConfig.vocabSize()) {
      throw usage("--student and --teacher have different vocabularies");
    }
    String stack = studentStack(teacherConfig, studentConfig);
    DistillationSettings settings = settings(stack);
    long startStep = training.startStep(out, settings, DistillationSettings.class);
    try (NDManager manager = NDManager.newBaseManager(device.resolve())) {
      ModelDirectory frozen = ModelDirectory.load(teacher, manager);
      NarrowBertModel studentModel =
          training.resume()
              ? ModelDirectory.load(out, manager).model()
              : ModelDirectory.load(
                      student == null ? teacher : student, manager, c -> c.withLayerStack(stack))
                  .model();
      int positions =
          Math.min(
              frozen.config().maxPositionEmbeddings(),
              studentModel.config().maxPositionEmbeddings());
      if (training.sequenceLength() > positions) {
        throw usage(
            "--seq-len " + training.sequenceLength() + " > max_position_embeddings " + positions);
      }
      AdamW optimizer = new AdamW(manager, 0.9f, 0.999f, 1e-6f, training.weightDecay());
      if (training.resume()) {
        TrainingCheckpoint.loadOptimizer(out, optimizer);
      }
      // The student's weights derive from the teacher's (or --student's) source: keep its NOTICE.
      PretrainedImport.copyNotice(teacher, out);
      if (student != null) {
        PretrainedImport.copyNotice(student, out);
      }
      TrainingBlocks blocks =
          settings.targets().blocks() == DistillationTargets.Blocks.PACKED
              ? corpus.blocks(
                  out,
                  frozen.vocabulary(),
                  training.sequenceLength(),
                  training.heldOutBlocks(),
                  err)
              : corpus.reviews(
                  reviewTokenizer(frozen.vocabulary(), studentModel.config()),
                  frozen.vocabulary().padId(),
                  training.heldOutBlocks(),
                  err);
      err.printf(
          Locale.ROOT,
          "%d training blocks of %d tokens (%d held out); %s -> %s; steps %d..%d%n",
          blocks.trainingBlocks(),
          training.sequenceLength(),
          blocks.heldOutBlocks(),
          frozen.config().layerStack(),
          studentModel.config().layerStack(),
          startStep,
          settings.schedule().totalSteps());
      try (MetricsLog metrics = training.metrics(out, startStep)) {
        DistillationObjective.Evaluation last =
            new BlockTraining<>(
                    new Distillation(
                        manager, frozen.model(), studentModel, frozen.vocabulary(), settings),
                    blocks,
                    settings,
                    frozen.vocabulary(),
                    out,
                    err)
                .withChart(LossChart::write)
                .run(manager, optimizer, startStep, training.stopAfter(), metrics);
        spec.commandLine()
            .getOut()
            .println(
                new JsonLine()
                    .put("out", out.toString())
                    .putFixed("eval_mse", last == null ? null : (Double) last.mse(), 8)
                    .putFixed("eval_cosine", last == null ? null : (Double) last.cosine(), 6)
                    .putFixed("eval_cls_cosine", last == null ? null : (Double) last.clsCosine(), 6)
                    .putFixed(
                        "eval_sentiment_agreement",
                        last == null ? null : (Double) last.sentimentAgreement(),
                        4));
      }
    }
    return 0;
  }

  /**
   * The student's stack: {@code --layer-stack}, else {@code --student}'s own, else the teacher's
   * layers narrowed as {@code narrowbert import} narrows pretrained weights by default.
   */
  private String studentStack(NarrowBertConfig teacherConfig, NarrowBertConfig studentConfig) {
    String stack;
    if (layerStack != null) {
      stack = layerStack;
    } else if (student != null) {
      stack = studentConfig.layerStack();
    } else {
      String layers = teacherConfig.layerStack().replace(":", "");
      if (!layers.equals(LayerStack.bert(layers.length() / 2))) {
        throw usage(
            "the teacher's stack "
                + teacherConfig.layerStack()
                + " is not BERT layers (sf...): give the student's --layer-stack");
      }
      stack = LayerStack.defaultNarrow(layers.length() / 2);
    }
    try {
      return LayerStack.parse(stack).notation();
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private DistillationSettings settings(String stack) throws IOException {
    try {
      return new DistillationSettings(
          training.schedule(batchSize, learningRate),
          queryRate,
          Sha256.of(teacher.resolve(ModelDirectory.PARAMS_FILE)),
          stack,
          new DistillationTargets(
              DistillationTargets.Blocks.fromJson(blocks), headWeight, temperature));
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /**
   * Reviews tokenised as the student reads them at run time ({@link ModelDirectory#tokenizer}: its
   * vocabulary and truncation), truncated to {@code --seq-len}.
   */
  private ReviewTokenizer reviewTokenizer(
      WordPieceVocabulary vocabulary, NarrowBertConfig studentConfig) {
    return new ReviewTokenizer(
        new WordPieceTokenizer(vocabulary, training.sequenceLength(), studentConfig.truncation()));
  }

  /** A model directory's config, or a usage error naming the option that gave the directory. */
  private NarrowBertConfig config(String option, Path directory) throws IOException {
    Path file = directory.resolve(ModelDirectory.CONFIG_FILE);
    if (!Files.isRegularFile(file)
        || !Files.isRegularFile(directory.resolve(ModelDirectory.PARAMS_FILE))) {
      throw usage(option + " " + directory + " is not a model directory");
    }
    return NarrowBertConfig.load(file);
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
