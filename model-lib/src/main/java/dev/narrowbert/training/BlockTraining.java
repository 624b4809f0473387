package dev.narrowbert.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The training loop of every objective that learns from {@link TrainingBlocks} (masked-LM
 * pretraining, distillation): blocks in {@link BlockOrder}, one {@link Trainer} step per batch
 * (AdamW on a {@link WarmupLinearDecay} schedule, gradient clipping), a {@link TrainingProgress}
 * bar, a {@link MetricsLog}, and at every {@code checkpointEvery} steps and at the end a held-out
 * evaluation, a {@link TrainingCheckpoint} and {@link MetricsChart}. It knows nothing of the
 * objective ({@link BlockObjective}), as nanoGPT's trainer knows nothing of GPT.
 *
 * <p>Batch {@code s} is a pure function of (seed, s): the blocks come in {@link BlockOrder}, and
 * the objective's random draws of step s come from an RNG seeded by (seed, s). That is why a run
 * resumed from a checkpoint sees exactly the batches it would have seen. The held-out evaluation
 * draws from an RNG seeded the same every time, so evaluations at different steps compare.
 *
 * @param <E> the objective's held-out figures
 * @param <S> the run's settings
 */
public final class BlockTraining<E, S extends BlockSettings<S>> {

  private final BlockObjective<E> objective;
  private final TrainingBlocks blocks;
  private final S settings;
  private final BlockSchedule schedule;
  private final BlockOrder order;
  private final WordPieceVocabulary vocabulary;
  private final Path out;
  private final PrintStream log;
  private MetricsChart chart = MetricsChart.NONE;

  /**
   * @param settings saved with every checkpoint, for {@code --resume} to check
   * @param vocabulary saved with the model, so that a checkpoint is a loadable model directory
   * @param out the run directory
   * @param log receives a line per evaluation
   */
  public BlockTraining(
      BlockObjective<E> objective,
      TrainingBlocks blocks,
      S settings,
      WordPieceVocabulary vocabulary,
      Path out,
      PrintStream log) {
    this.objective = objective;
    this.blocks = blocks;
    this.settings = settings;
    this.schedule = settings.schedule();
    this.order = new BlockOrder(blocks, schedule.seed());
    this.vocabulary = vocabulary;
    this.out = out;
    this.log = log;
  }

  /** Draws {@code loss.png} with {@code chart} at every checkpoint (default: no chart). */
  public BlockTraining<E, S> withChart(MetricsChart chart) {
    this.chart = chart;
    return this;
  }

  /**
   * Trains from {@code startStep} until the schedule ends or {@code stopAfter} steps are done.
   *
   * @param optimizer fresh, or restored from the checkpoint of {@code startStep}
   * @param metrics the run's log, already truncated to {@code startStep}
   * @return the last held-out evaluation (null if no step was left and none was made)
   */
  public E run(
      NDManager manager, AdamW optimizer, long startStep, long stopAfter, MetricsLog metrics)
      throws IOException {
    List<Pair<String, Parameter>> parameters = objective.trainableParameters();
    for (Pair<String, Parameter> p : parameters) {
      p.getValue().getArray().setRequiresGradient(true);
    }
    Trainer trainer =
        new Trainer(
            parameters,
            optimizer,
            schedule.learningRates(),
            schedule.maxGradientNorm(),
            schedule.seed());
    long end = Math.min(schedule.totalSteps(), stopAfter);
    E last = null;
    if (startStep == 0 && objective.evaluatesBeforeTraining()) {
      last = evaluate(manager);
      metrics.log(0, objective.metrics(last));
      log.printf(Locale.ROOT, "before training: %s%n", objective.describe(last));
    }
    long started = System.nanoTime();
    long tokens = 0;
    try (TrainingProgress progress = new TrainingProgress(objective.name(), end, startStep)) {
      for (long step = startStep; step < end; step++) {
        long current = step;
        Trainer.StepResult result;
        BlockObjective.Step batch;
        try (NDManager scope = manager.newSubManager()) {
          Random random = new Random(schedule.seed() * 1_000_003L + current);
          batch = objective.batch(scope, order.batch(current, schedule.batchSize()), random);
          result = trainer.step(current, batch::loss);
        }
        tokens += batch.tokens();
        progress.step(step + 1, result.loss(), batch.tokens());
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> values = result.metrics();
        values.putAll(batch.lossParts());
        values.put("tokens_per_s", tokens / Math.max(seconds, 1e-9));
        values.put("elapsed_s", seconds);
        metrics.log(step + 1, values);
        if (step + 1 == end || (step + 1) % schedule.checkpointEvery() == 0) {
          last = evaluate(manager);
          metrics.log(step + 1, objective.metrics(last));
          TrainingCheckpoint.save(
              out,
              objective.model(),
              vocabulary,
              optimizer,
              new BlockTrainingState<>(step + 1, settings));
          chart.draw(
              out.resolve("loss.png"), objective.chartTitle(), metrics, objective.chartSeries());
          log.printf(
              Locale.ROOT,
              "%nstep %d: %s; checkpoint in %s%n",
              step + 1,
              objective.describe(last),
              out);
        }
      }
    }
    return last;
  }

  /** The held-out figures, batch by batch, with the same random draws every time. */
  public E evaluate(NDManager manager) {
    Random random = new Random(schedule.seed() ^ 0x5DEECE66DL);
    BlockObjective.HeldOut<E> sums = objective.heldOut();
    int batchSize = schedule.batchSize();
    for (int from = 0; from < blocks.heldOutBlocks(); from += batchSize) {
      List<int[]> batch = new ArrayList<>();
      for (int i = from; i < Math.min(from + batchSize, blocks.heldOutBlocks()); i++) {
        batch.add(blocks.heldOutBlock(i));
      }
      // The scope frees what the forward passes attach to the weights' manager as well.
      try (NDManager scope = manager.newSubManager();
          NDScope arrays = new NDScope()) {
        sums.add(scope, batch, random);
      }
    }
    return sums.result();
  }
}
