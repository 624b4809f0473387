package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fine-tuning with early stopping for one {@link FineTuningTask} or several on a shared encoder:
 * AdamW with warm-up and linear decay (Devlin et al., 2019, Section 4), validation every {@code
 * evaluateEvery} steps or once per epoch, the best model so far kept in the output directory, and a
 * stop after {@code patience} validations without improvement. Batches group examples of similar
 * length (sorted within shuffled pools of 50 batches), which saves most padding on CPU.
 *
 * <p><b>Several tasks</b> (multi-task fine-tuning as in MT-DNN, Liu et al., ACL 2019). Every step
 * takes one batch of each task and minimises the weighted sum of their losses, {@code Σ w_t L_t}.
 * Training the tasks one after the other lets the second overwrite what the encoder learnt for the
 * first (sentiment fell to chance after an NER fine-tune). Sampling one task per step, as MT-DNN
 * does, leaves the other head out of that step's graph, without a gradient for clipping and AdamW,
 * and adds a sampling ratio to tune. The sum is simpler: every update, clip and AdamW moment sees
 * all tasks, every trained parameter gets a gradient on every step, and a task with short examples
 * (NER sentences beside 256-token reviews) adds little to the cost of a step. An epoch is one pass
 * over the largest training set; a smaller one is cycled, reshuffled on every pass, so it is seen
 * proportionally more often.
 *
 * <p>The validation score of a multi-task run, on which it early-stops and picks its checkpoint, is
 * the unweighted mean of the tasks' scores (for sentiment + NER: (accuracy + entity F1) / 2), so a
 * point gained on either task counts the same and neither can be given up for the other unnoticed
 * (the log has both). The loss weights tune training, not selection.
 *
 * <p>With one task the loop is exactly the single-task fine-tuning it always was: same batches,
 * same loss, same log names ({@code loss}, {@code valid_<metric>}). With several, the log adds
 * {@code loss_<task>} per step and {@code valid_<task>_<metric>} and the combined {@code
 * valid_score} per validation.
 *
 * <p>A run can stop and {@link #resume} ({@link FineTuningCheckpoints}): the resumed run draws the
 * same batches and dropout masks and keeps the same early-stopping state, so it ends as an
 * uninterrupted run would.
 */
public final class FineTuningLoop {

  private static final String JOINT_SCORE = "valid_score";

  /**
   * Outcome.
   *
   * @param bestScore the best validation score: the task's metric, or the mean over tasks
   * @param bestStep the step it was reached at (the saved checkpoint)
   * @param bestValidation every validation figure of that step by its metrics-log name, e.g. {@code
   *     valid_accuracy}, or {@code valid_sentiment_accuracy}, {@code valid_ner_f1}, {@code
   *     valid_score}
   */
  public record Result(
      double bestScore, long bestStep, long steps, Map<String, Double> bestValidation) {}

  private final NarrowBertModel model;
  private final WordPieceVocabulary vocabulary;
  private final List<FineTuningObjective<?>> objectives;
  private final FineTuningSettings settings;
  private final Path out;
  private final PrintStream log;
  private MetricsChart chart = MetricsChart.NONE;
  private long checkpointEvery;
  private long stopAfter = Long.MAX_VALUE;

  /**
   * @param objectives the tasks, each with its data and loss weight; their names must differ
   */
  public FineTuningLoop(
      NarrowBertModel model,
      WordPieceVocabulary vocabulary,
      List<FineTuningObjective<?>> objectives,
      FineTuningSettings settings,
      Path out,
      PrintStream log) {
    if (objectives.isEmpty()) {
      throw new IllegalArgumentException("no task to fine-tune");
    }
    if (new HashSet<>(objectives.stream().map(o -> o.task().name()).toList()).size()
        < objectives.size()) {
      throw new IllegalArgumentException("the same task twice");
    }
    this.model = model;
    this.vocabulary = vocabulary;
    this.objectives = List.copyOf(objectives);
    this.settings = settings;
    this.out = out;
    this.log = log;
  }

  /** Runs from the first step. */
  public Result run(NDManager manager) throws IOException {
    return run(manager, false);
  }

  /**
   * Continues the run checkpointed in {@link #resumeDirectory}, exactly as if it had not stopped:
   * the model given to the constructor must hold that checkpoint's weights.
   *
   * @throws IllegalArgumentException if the settings or the training data differ from the run's
   */
  public Result resume(NDManager manager) throws IOException {
    return run(manager, true);
  }

  /** Where a run in {@code out} keeps its resumable checkpoint until it finishes. */
  public static Path resumeDirectory(Path out) {
    return FineTuningCheckpoints.directory(out);
  }

  /**
   * Saves a resumable checkpoint every {@code every} steps (0: none) and stops, checkpointed, after
   * step {@code stopAfter}.
   */
  public FineTuningLoop withCheckpoints(long every, long stopAfter) {
    this.checkpointEvery = every;
    this.stopAfter = stopAfter;
    return this;
  }

  private Result run(NDManager manager, boolean resume) throws IOException {
    List<Pair<String, Parameter>> parameters = new ArrayList<>();
    for (Pair<String, Parameter> p : model.getParameters()) {
      boolean trained = objectives.stream().anyMatch(o -> o.task().trains(p.getValue()));
      // Frozen parameters need no gradient, so backward stops at the trained part.
      p.getValue().getArray().setRequiresGradient(trained);
      if (trained) {
        parameters.add(p);
      }
    }
    List<TaskBatches<?>> tasks = new ArrayList<>();
    for (int i = 0; i < objectives.size(); i++) {
      tasks.add(new TaskBatches<>(objectives.get(i), i, settings));
    }
    boolean joint = tasks.size() > 1;
    long stepsPerEpoch = tasks.stream().mapToLong(TaskBatches::batchesPerPass).max().orElseThrow();
    long total = stepsPerEpoch * settings.epochs();
    if (settings.maxSteps() > 0) {
      total = Math.min(total, settings.maxSteps());
    }
    Trainer trainer =
        new Trainer(
            parameters,
            new AdamW(manager, 0.9f, 0.999f, 1e-6f, settings.weightDecay()),
            new WarmupLinearDecay(settings.learningRate(), Math.max(1, total / 10), total),
            settings.maxGradientNorm(),
            settings.seed());
    long evaluateEvery = settings.evaluateEvery() > 0 ? settings.evaluateEvery() : stepsPerEpoch;
    List<Integer> sizes = objectives.stream().map(o -> o.train().size()).toList();
    List<Map<String, String>> exampleSettings =
        objectives.stream().map(FineTuningObjective::exampleSettings).toList();
    FineTuningCheckpoints checkpoints =
        new FineTuningCheckpoints(out, checkpointEvery, stopAfter, total);
    FineTuningState state =
        resume
            ? checkpoints.restore(settings, sizes, exampleSettings, tasks, trainer.optimizer(), log)
            : new FineTuningState(
                0, settings, sizes, exampleSettings, List.of(), null, 0, Map.of(), 0);
    double best = state.bestScore() == null ? Double.NEGATIVE_INFINITY : state.bestScore();
    long bestStep = state.bestStep();
    Map<String, Double> bestValidation = state.bestValidation();
    int withoutImprovement = state.withoutImprovement();
    long step = state.step();
    boolean finished = true;
    long started = System.nanoTime();
    long tokens = 0;
    String scoreName = joint ? JOINT_SCORE : validationName(tasks.get(0), false);
    Path metricsFile = out.resolve("metrics.jsonl");
    try (MetricsLog metrics =
            resume ? MetricsLog.resume(metricsFile, step) : MetricsLog.create(metricsFile);
        TrainingProgress progress = new TrainingProgress("finetune", total, step)) {
      while (step < total) {
        long epoch = step / stepsPerEpoch;
        int batchTokens = 0;
        for (TaskBatches<?> task : tasks) {
          batchTokens += task.drawBatch();
        }
        float[] taskLosses = new float[tasks.size()];
        Trainer.StepResult result;
        try (NDManager scope = manager.newSubManager()) {
          result = trainer.step(step, () -> weightedLoss(scope, tasks, taskLosses));
        }
        step++;
        tokens += batchTokens;
        progress.step(step, result.loss(), batchTokens);
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", (double) result.loss());
        if (joint) {
          for (int i = 0; i < tasks.size(); i++) {
            values.put("loss_" + tasks.get(i).name(), (double) taskLosses[i]);
          }
        }
        values.put("lr", (double) result.learningRate());
        values.put("grad_norm", (double) result.gradientNorm());
        if (result.skipped()) {
          values.put("skipped_update", 1.0);
        }
        values.put("tokens_per_s", tokens / Math.max(seconds, 1e-9));
        values.put("epoch", (double) epoch);
        metrics.log(step, values);
        if (step % evaluateEvery == 0 || step == total) {
          Map<String, Double> validation = validate(manager, tasks);
          double score = validation.get(scoreName);
          metrics.log(step, validation);
          boolean improved = score > best;
          if (improved) {
            best = score;
            bestStep = step;
            bestValidation = validation;
            withoutImprovement = 0;
            ModelDirectory.save(model, vocabulary, out);
          } else {
            withoutImprovement++;
          }
          drawChart(metrics, tasks, scoreName, best);
          StringBuilder line = new StringBuilder();
          validation.forEach(
              (name, value) -> line.append(String.format(Locale.ROOT, " %s %.4f", name, value)));
          log.printf(
              Locale.ROOT,
              "%nstep %d:%s%s%n",
              step,
              line,
              improved ? " (best, saved to " + out + ")" : "");
          if (withoutImprovement >= settings.patience()) {
            log.printf("no improvement in %d validations: stopping early%n", withoutImprovement);
            break;
          }
        }
        boolean stopping = checkpoints.stopsAfter(step);
        if (stopping || checkpoints.due(step)) {
          checkpoints.save(
              model,
              vocabulary,
              trainer.optimizer(),
              new FineTuningState(
                  step,
                  settings,
                  sizes,
                  exampleSettings,
                  tasks.stream().map(TaskBatches::position).toList(),
                  bestStep == 0 ? null : best,
                  bestStep,
                  bestValidation,
                  withoutImprovement));
        }
        if (stopping) {
          log.printf("%nstopped after step %d; continue with --resume%n", step);
          finished = false;
          break;
        }
      }
    }
    if (finished) {
      checkpoints.deleteAll();
    }
    return new Result(best, bestStep, step, bestValidation);
  }

  /** Σ w_t L_t over this step's batches; also writes each unweighted L_t to {@code losses}. */
  private static NDArray weightedLoss(NDManager scope, List<TaskBatches<?>> tasks, float[] losses) {
    NDArray sum = null;
    for (int i = 0; i < tasks.size(); i++) {
      NDArray loss = tasks.get(i).loss(scope);
      losses[i] = loss.getFloat();
      float weight = tasks.get(i).objective().lossWeight(); // a double would make the loss float64
      NDArray term = weight == 1 ? loss : loss.mul(weight);
      sum = sum == null ? term : sum.add(term);
    }
    return sum;
  }

  /** Every task's validation score, and with several tasks their mean as {@code valid_score}. */
  private static Map<String, Double> validate(NDManager manager, List<TaskBatches<?>> tasks) {
    boolean joint = tasks.size() > 1;
    Map<String, Double> scores = new LinkedHashMap<>();
    double sum = 0;
    for (TaskBatches<?> task : tasks) {
      double score = task.validate(manager);
      scores.put(validationName(task, joint), score);
      sum += score;
    }
    if (joint) {
      scores.put(JOINT_SCORE, sum / tasks.size());
    }
    return scores;
  }

  private static String validationName(TaskBatches<?> task, boolean joint) {
    String metric = task.objective().task().metricName();
    return joint ? "valid_" + task.name() + "_" + metric : "valid_" + metric;
  }

  /** Draws {@code loss.png} with {@code chart} at every validation (default: no chart). */
  public FineTuningLoop withChart(MetricsChart chart) {
    this.chart = chart;
    return this;
  }

  private void drawChart(
      MetricsLog metrics, List<TaskBatches<?>> tasks, String scoreName, double best)
      throws IOException {
    boolean joint = tasks.size() > 1;
    Map<String, String> series = new LinkedHashMap<>();
    series.put(joint ? "train loss (weighted sum)" : "train loss", "loss");
    if (joint) {
      for (TaskBatches<?> task : tasks) {
        series.put(task.name() + " loss", "loss_" + task.name());
        series.put(validationName(task, true), validationName(task, true));
      }
    }
    series.put(scoreName, scoreName);
    String title = String.format(Locale.ROOT, "fine-tuning (%s best %.4f)", scoreName, best);
    chart.draw(out.resolve("loss.png"), title, metrics, series);
  }
}
