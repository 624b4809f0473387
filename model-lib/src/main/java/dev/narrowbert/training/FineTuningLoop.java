package dev.narrowbert.training;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.narrowbert.model.ModelDirectory;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Fine-tuning with early stopping for any {@link FineTuningTask}: AdamW with warm-up and linear
 * decay (Devlin et al., 2019, Section 4), validation every {@code evaluateEvery} steps or once per
 * epoch, the best model so far kept in the output directory, and a stop after {@code patience}
 * validations without improvement. Batches group examples of similar length (sorted within shuffled
 * pools of 50 batches), which saves most padding on CPU.
 */
public final class FineTuningLoop<E> {

  private static final int POOL_BATCHES = 50;

  /** Outcome: the best validation score and the step it was reached at. */
  public record Result(double bestScore, long bestStep, long steps) {}

  private final NarrowBertModel model;
  private final WordPieceVocabulary vocabulary;
  private final FineTuningTask<E> task;
  private final FineTuningSettings settings;
  private final Path out;
  private final PrintStream log;

  public FineTuningLoop(
      NarrowBertModel model,
      WordPieceVocabulary vocabulary,
      FineTuningTask<E> task,
      FineTuningSettings settings,
      Path out,
      PrintStream log) {
    this.model = model;
    this.vocabulary = vocabulary;
    this.task = task;
    this.settings = settings;
    this.out = out;
    this.log = log;
  }

  public Result run(NDManager manager, List<E> train, List<E> valid) throws IOException {
    List<Pair<String, Parameter>> parameters = new ArrayList<>();
    for (Pair<String, Parameter> p : model.getParameters()) {
      // Frozen parameters need no gradient, so backward stops at the trained part.
      p.getValue().getArray().setRequiresGradient(task.trains(p.getKey()));
      if (task.trains(p.getKey())) {
        parameters.add(p);
      }
    }
    long stepsPerEpoch = (train.size() + settings.batchSize() - 1) / settings.batchSize();
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
    double best = Double.NEGATIVE_INFINITY;
    long bestStep = 0;
    int withoutImprovement = 0;
    long step = 0;
    long started = System.nanoTime();
    long tokens = 0;
    String metric = "valid_" + task.metricName();
    try (MetricsLog metrics = MetricsLog.create(out.resolve("metrics.jsonl"));
        TrainingProgress progress = new TrainingProgress("finetune", total, 0)) {
      training:
      for (int epoch = 0; epoch < settings.epochs(); epoch++) {
        for (List<E> batch : batches(train, epoch)) {
          Trainer.StepResult result;
          int batchTokens = batch.stream().mapToInt(task::tokens).sum();
          try (NDManager scope = manager.newSubManager()) {
            result = trainer.step(step, () -> task.loss(scope, batch));
          }
          step++;
          tokens += batchTokens;
          progress.step(step, result.loss(), batchTokens);
          double seconds = (System.nanoTime() - started) / 1e9;
          Map<String, Double> values = new LinkedHashMap<>();
          values.put("loss", (double) result.loss());
          values.put("lr", (double) result.learningRate());
          values.put("grad_norm", (double) result.gradientNorm());
          if (result.skipped()) {
            values.put("skipped_update", 1.0);
          }
          values.put("tokens_per_s", tokens / Math.max(seconds, 1e-9));
          values.put("epoch", (double) epoch);
          metrics.log(step, values);
          if (step % evaluateEvery == 0 || step == total) {
            double score = task.validate(manager, valid);
            metrics.log(step, Map.of(metric, score));
            boolean improved = score > best;
            if (improved) {
              best = score;
              bestStep = step;
              withoutImprovement = 0;
              ModelDirectory.save(model, vocabulary, out);
            } else {
              withoutImprovement++;
            }
            LossChart.write(
                out.resolve("loss.png"),
                "fine-tuning ("
                    + metric
                    + " best "
                    + String.format(Locale.ROOT, "%.4f", best)
                    + ")",
                metrics,
                Map.of("train loss", "loss", metric, metric));
            log.printf(
                Locale.ROOT,
                "%nstep %d: %s %.4f%s%n",
                step,
                metric,
                score,
                improved ? " (best, saved to " + out + ")" : "");
            if (withoutImprovement >= settings.patience()) {
              log.printf("no improvement in %d validations: stopping early%n", withoutImprovement);
              break training;
            }
          }
          if (step >= total) {
            break training;
          }
        }
      }
    }
    return new Result(best, bestStep, step);
  }

  /** This epoch's batches: shuffled, then length-sorted within pools, then the batches shuffled. */
  private List<List<E>> batches(List<E> examples, int epoch) {
    Random random = new Random(settings.seed() * 7919L + epoch);
    List<E> shuffled = new ArrayList<>(examples);
    Collections.shuffle(shuffled, random);
    int pool = settings.batchSize() * POOL_BATCHES;
    List<List<E>> batches = new ArrayList<>();
    for (int from = 0; from < shuffled.size(); from += pool) {
      List<E> slice =
          new ArrayList<>(shuffled.subList(from, Math.min(from + pool, shuffled.size())));
      slice.sort(Comparator.comparingInt(task::tokens));
      for (int b = 0; b < slice.size(); b += settings.batchSize()) {
        batches.add(slice.subList(b, Math.min(b + settings.batchSize(), slice.size())));
      }
    }
    Collections.shuffle(batches, random);
    return batches;
  }
}
