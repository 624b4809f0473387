package dev.narrowbert.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The distillation loop: a frozen teacher (normally the weights run as full BERT) teaches a student
 * (normally the same weights run as NarrowBERT, Li et al., ACL 2023) to reproduce its final states
 * at [CLS] and at a seeded share of positions ({@link DistillationQueries}, {@link
 * DistillationObjective}). Only the student's encoder is trained; its heads are carried over
 * unchanged, so a student made from a fine-tuned teacher keeps using the teacher's heads.
 *
 * <p>The blocks come in {@link BlockOrder} and the query positions of step s are drawn from an RNG
 * seeded by (seed, s), so a run resumed from a {@link TrainingCheckpoint} continues exactly. The
 * held-out figures use fixed positions, so evaluations at different steps compare.
 */
public final class Distillation {

  /** What {@code training-state.json} holds: the step is the whole remaining state. */
  public record State(long step, DistillationSettings settings) {}

  private final NarrowBertModel teacher;
  private final NarrowBertModel student;
  private final WordPieceVocabulary vocabulary;
  private final PackedBlocks blocks;
  private final DistillationSettings settings;
  private final BlockOrder order;
  private final DistillationQueries queries;
  private final Path out;
  private final PrintStream log;
  private MetricsChart chart = MetricsChart.NONE;

  public Distillation(
      NarrowBertModel teacher,
      NarrowBertModel student,
      WordPieceVocabulary vocabulary,
      PackedBlocks blocks,
      DistillationSettings settings,
      Path out,
      PrintStream log) {
    this.teacher = teacher;
    this.student = student;
    this.vocabulary = vocabulary;
    this.blocks = blocks;
    this.settings = settings;
    this.out = out;
    this.log = log;
    this.order = new BlockOrder(blocks, settings.seed());
    Set<Integer> special = Set.of(vocabulary.clsId(), vocabulary.sepId(), vocabulary.padId());
    this.queries = new DistillationQueries(settings.queryRate(), special);
  }

  /** Draws {@code loss.png} with {@code chart} at every checkpoint (default: no chart). */
  public Distillation withChart(MetricsChart chart) {
    this.chart = chart;
    return this;
  }

  /** Parameters distillation trains: the student's encoder (embeddings and sublayers) only. */
  public static List<Pair<String, Parameter>> trainableParameters(NarrowBertModel student) {
    ModelParts parts = ModelParts.of(student);
    List<Pair<String, Parameter>> trainable = new ArrayList<>();
    for (Pair<String, Parameter> p : student.getParameters()) {
      if (parts.isEncoder(p.getValue())) {
        trainable.add(p);
      }
    }
    return trainable;
  }

  /**
   * Trains from {@code startStep} until the schedule ends or {@code stopAfter} steps are done. A
   * run that starts at step 0 is evaluated first and logged at step 0, the baseline of the curve.
   *
   * @param optimizer fresh, or restored from the checkpoint of {@code startStep}
   * @param metrics the run's log, already truncated to {@code startStep}
   * @return the last held-out evaluation (null if no step was left and none was made)
   */
  public DistillationObjective.Evaluation run(
      NDManager manager, AdamW optimizer, long startStep, long stopAfter, MetricsLog metrics)
      throws IOException {
    List<Pair<String, Parameter>> parameters = trainableParameters(student);
    for (Pair<String, Parameter> p : parameters) {
      p.getValue().getArray().setRequiresGradient(true);
    }
    DistillationObjective objective =
        new DistillationObjective(student, teacher, new ParameterStore(manager, false));
    long warmup = Math.min(settings.warmupSteps(), settings.totalSteps());
    Trainer trainer =
        new Trainer(
            parameters,
            optimizer,
            new WarmupLinearDecay(settings.learningRate(), warmup, settings.totalSteps()),
            settings.maxGradientNorm(),
            settings.seed());
    long end = Math.min(settings.totalSteps(), stopAfter);
    DistillationObjective.Evaluation last = null;
    if (startStep == 0) {
      last = evaluate(manager, objective);
      logEvaluation(metrics, 0, last);
      log.printf(Locale.ROOT, "before distillation: %s%n", describe(last));
    }
    long started = System.nanoTime();
    long tokens = 0;
    try (TrainingProgress progress = new TrainingProgress("distill", end, startStep)) {
      for (long step = startStep; step < end; step++) {
        long current = step;
        Trainer.StepResult result;
        int batchTokens;
        // The teacher's forward runs inside the loss, within the trainer's scope of the step.
        try (NDManager scope = manager.newSubManager()) {
          DistillationBatch batch = batch(scope, current);
          batchTokens = batch.tokens();
          result = trainer.step(current, () -> objective.loss(batch));
        }
        tokens += batchTokens;
        progress.step(step + 1, result.loss(), batchTokens);
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> values = result.metrics();
        values.put("tokens_per_s", tokens / Math.max(seconds, 1e-9));
        values.put("elapsed_s", seconds);
        metrics.log(step + 1, values);
        if (step + 1 == end || (step + 1) % settings.checkpointEvery() == 0) {
          last = evaluate(manager, objective);
          logEvaluation(metrics, step + 1, last);
          TrainingCheckpoint.save(
              out, student, vocabulary, optimizer, new State(step + 1, settings));
          chart.draw(
              out.resolve("loss.png"),
              "distillation into " + student.config().layerStack(),
              metrics,
              Map.of("train MSE", "loss", "held-out MSE", "eval_mse"));
          log.printf(
              Locale.ROOT, "%nstep %d: %s; checkpoint in %s%n", step + 1, describe(last), out);
        }
      }
    }
    return last;
  }

  /** The blocks of step {@code step} and their query positions. */
  private DistillationBatch batch(NDManager manager, long step) {
    Random random = new Random(settings.seed() * 1_000_003L + step);
    List<int[]> batch = order.batch(step, settings.batchSize());
    List<int[]> positions = new ArrayList<>(batch.size());
    for (int[] block : batch) {
      positions.add(queries.choose(block, random));
    }
    return DistillationBatch.of(manager, batch, positions, vocabulary);
  }

  /** Held-out figures, at the same fixed positions every time. */
  DistillationObjective.Evaluation evaluate(NDManager manager, DistillationObjective objective) {
    Random random = new Random(settings.seed() ^ 0x5DEECE66DL);
    DistillationObjective.Sums sums = new DistillationObjective.Sums();
    int batchSize = settings.batchSize();
    for (int from = 0; from < blocks.heldOutBlocks(); from += batchSize) {
      List<int[]> batch = new ArrayList<>();
      List<int[]> positions = new ArrayList<>();
      for (int i = from; i < Math.min(from + batchSize, blocks.heldOutBlocks()); i++) {
        batch.add(blocks.heldOutBlock(i));
        positions.add(queries.choose(batch.get(batch.size() - 1), random));
      }
      // The scope frees what the forward passes attach to the weights' manager as well.
      try (NDManager scope = manager.newSubManager();
          NDScope arrays = new NDScope()) {
        objective.evaluate(DistillationBatch.of(scope, batch, positions, vocabulary), sums);
      }
    }
    return sums.evaluation();
  }

  private static String describe(DistillationObjective.Evaluation evaluation) {
    return String.format(
        Locale.ROOT,
        "held-out MSE %.6f, cosine %.5f, [CLS] cosine %.5f",
        evaluation.mse(),
        evaluation.cosine(),
        evaluation.clsCosine());
  }

  private static void logEvaluation(
      MetricsLog metrics, long step, DistillationObjective.Evaluation evaluation)
      throws IOException {
    metrics.log(
        step,
        Map.of(
            "eval_mse", evaluation.mse(),
            "eval_cosine", evaluation.cosine(),
            "eval_cls_cosine", evaluation.clsCosine()));
  }
}
