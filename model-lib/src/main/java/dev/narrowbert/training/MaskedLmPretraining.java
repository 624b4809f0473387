package dev.narrowbert.training;

import ai.djl.ndarray.NDManager;
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
import java.util.Map;
import java.util.Random;

/**
 * The masked-LM pretraining loop of BERT (Devlin et al., 2019) with NarrowBERT's narrow MLM (Li et
 * al., 2023): shuffled {@link PackedBlocks}, {@link MlmMasking}, {@link MaskedLmObjective}, one
 * {@link Trainer} step per batch, a {@link MetricsLog} and {@link MetricsChart}, held-out
 * evaluation and a {@link TrainingCheckpoint} every {@code checkpointEvery} steps and at the end.
 *
 * <p>Batch {@code s} is a pure function of (seed, s): the blocks come in {@link BlockOrder}, and
 * the masking RNG of step s is seeded by (seed, s). That is why a resumed run sees exactly the
 * batches it would have seen.
 */
public final class MaskedLmPretraining {

  private final NarrowBertModel model;
  private final WordPieceVocabulary vocabulary;
  private final PackedBlocks blocks;
  private final PretrainingSettings settings;
  private final MlmMasking masking;
  private final Path out;
  private final PrintStream log;
  private final BlockOrder order;
  private MetricsChart chart = MetricsChart.NONE;

  /** Draws {@code loss.png} with {@code chart} at every checkpoint (default: no chart). */
  public MaskedLmPretraining withChart(MetricsChart chart) {
    this.chart = chart;
    return this;
  }

  public MaskedLmPretraining(
      NarrowBertModel model,
      WordPieceVocabulary vocabulary,
      PackedBlocks blocks,
      PretrainingSettings settings,
      Path out,
      PrintStream log) {
    this.model = model;
    this.vocabulary = vocabulary;
    this.blocks = blocks;
    this.settings = settings;
    this.out = out;
    this.log = log;
    this.order = new BlockOrder(blocks, settings.seed());
    int maskId = vocabulary.id("[MASK]");
    if (maskId < 0) {
      throw new IllegalArgumentException("vocabulary has no [MASK] token");
    }
    this.masking =
        new MlmMasking(
            settings.maskRate(),
            maskId,
            vocabulary.size(),
            java.util.Set.of(vocabulary.clsId(), vocabulary.sepId(), vocabulary.padId(), maskId));
  }

  /** Parameters the MLM objective trains: the encoder and the MLM head. */
  public static List<Pair<String, Parameter>> trainableParameters(NarrowBertModel model) {
    ModelParts parts = ModelParts.of(model);
    List<Pair<String, Parameter>> trainable = new ArrayList<>();
    for (Pair<String, Parameter> p : model.getParameters()) {
      if (parts.isEncoder(p.getValue())
          || parts.belongsTo(p.getValue(), ModelParts.Part.MLM_HEAD)) {
        trainable.add(p);
      }
    }
    return trainable;
  }

  /**
   * Trains from {@code startStep} until the schedule ends or {@code stopAfter} steps are done.
   *
   * @param optimizer fresh, or restored from the checkpoint of {@code startStep}
   * @param metrics the run's log, already truncated to {@code startStep}
   * @return the last held-out evaluation
   */
  public MaskedLmObjective.Evaluation run(
      NDManager manager, AdamW optimizer, long startStep, long stopAfter, MetricsLog metrics)
      throws IOException {
    List<Pair<String, Parameter>> parameters = trainableParameters(model);
    for (Pair<String, Parameter> p : parameters) {
      p.getValue().getArray().setRequiresGradient(true);
    }
    ParameterStore ps = new ParameterStore(manager, false);
    MaskedLmObjective objective = new MaskedLmObjective(model, ps);
    long warmup = Math.min(settings.warmupSteps(), settings.totalSteps());
    Trainer trainer =
        new Trainer(
            parameters,
            optimizer,
            new WarmupLinearDecay(settings.learningRate(), warmup, settings.totalSteps()),
            settings.maxGradientNorm(),
            settings.seed());
    long end = Math.min(settings.totalSteps(), stopAfter);
    MaskedLmObjective.Evaluation last = null;
    long started = System.nanoTime();
    long tokens = 0;
    try (TrainingProgress progress = new TrainingProgress("pretrain", end, startStep)) {
      for (long step = startStep; step < end; step++) {
        long current = step;
        Trainer.StepResult result;
        int batchTokens;
        try (NDManager scope = manager.newSubManager()) {
          MaskedLmBatch batch = MaskedLmBatch.of(scope, maskedBatch(current));
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
        boolean lastStep = step + 1 == end;
        if (lastStep || (step + 1) % settings.checkpointEvery() == 0) {
          last = evaluate(manager, objective);
          metrics.log(step + 1, Map.of("eval_loss", last.loss(), "eval_accuracy", last.accuracy()));
          TrainingCheckpoint.save(
              out, model, vocabulary, optimizer, new TrainingCheckpoint.State(step + 1, settings));
          chart.draw(
              out.resolve("loss.png"),
              "masked-LM pretraining",
              metrics,
              Map.of("train loss", "loss", "held-out loss", "eval_loss"));
          log.printf(
              java.util.Locale.ROOT,
              "%nstep %d: held-out MLM loss %.4f, accuracy %.4f; checkpoint in %s%n",
              step + 1,
              last.loss(),
              last.accuracy(),
              out);
        }
      }
    }
    return last;
  }

  /** The masked blocks of step {@code step}. */
  List<MlmMasking.Masked> maskedBatch(long step) {
    Random random = new Random(settings.seed() * 1_000_003L + step);
    List<MlmMasking.Masked> batch = new ArrayList<>(settings.batchSize());
    for (int[] block : order.batch(step, settings.batchSize())) {
      batch.add(masking.apply(block, random));
    }
    return batch;
  }

  /** Held-out loss and accuracy, with the same fixed masking every time. */
  MaskedLmObjective.Evaluation evaluate(NDManager manager, MaskedLmObjective objective) {
    Random random = new Random(settings.seed() ^ 0x5DEECE66DL);
    double lossSum = 0;
    double correct = 0;
    double count = 0;
    int batchSize = settings.batchSize();
    for (int from = 0; from < blocks.heldOutBlocks(); from += batchSize) {
      List<MlmMasking.Masked> batch = new ArrayList<>();
      for (int i = from; i < Math.min(from + batchSize, blocks.heldOutBlocks()); i++) {
        batch.add(masking.apply(blocks.heldOutBlock(i), random));
      }
      try (NDManager scope = manager.newSubManager()) {
        double[] sums = objective.evaluate(MaskedLmBatch.of(scope, batch));
        lossSum += sums[0];
        correct += sums[1];
        count += sums[2];
      }
    }
    return new MaskedLmObjective.Evaluation(lossSum / count, correct / count, (long) count);
  }
}
