package dev.narrowbert.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.training.AdamW;
import dev.narrowbert.training.MaskedLmBatch;
import dev.narrowbert.training.MaskedLmObjective;
import dev.narrowbert.training.MaskedLmPretraining;
import dev.narrowbert.training.MlmMasking;
import dev.narrowbert.training.Trainer;
import dev.narrowbert.training.WarmupLinearDecay;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * The measurements of {@link ModelBenchmark} on random weights: tokens/s of a full masked-LM step,
 * reviews/s of [CLS] inference, and the machine's peak matrix-multiply GFLOP/s. Every configuration
 * is warmed up, then the configurations alternate (A B C A B C ...) so drift on a shared machine
 * hits all of them alike.
 */
final class StackThroughput {

  static final int PAD = 0;
  static final int CLS = 1;
  static final int SEP = 2;
  static final int MASK = 3;

  /** One model under test. */
  record Variant(String name, NarrowBertConfig config) {}

  private final int batchSize;
  private final int rounds;
  private final int warmup;
  private final int vocabSize;
  private final float maskRate;

  StackThroughput(int batchSize, int rounds, int warmup, int vocabSize, float maskRate) {
    this.batchSize = batchSize;
    this.rounds = rounds;
    this.warmup = warmup;
    this.vocabSize = vocabSize;
    this.maskRate = maskRate;
  }

  /** Tokens/s of a full training step, per variant, alternating. */
  Map<String, Samples> pretraining(NDManager manager, List<Variant> variants, int length) {
    MlmMasking masking = new MlmMasking(maskRate, MASK, vocabSize, Set.of(PAD, CLS, SEP, MASK));
    Random random = new Random(length);
    List<DoubleSupplier> steps = new ArrayList<>();
    for (Variant variant : variants) {
      NarrowBertModel model = build(manager, variant.config());
      ParameterStore ps = new ParameterStore(manager, false);
      MaskedLmObjective objective = new MaskedLmObjective(model, ps);
      Trainer trainer =
          new Trainer(
              MaskedLmPretraining.trainableParameters(model),
              AdamW.bertDefaults(manager),
              new WarmupLinearDecay(1e-4f, 0, 1_000_000),
              1.0f,
              1);
      long[] step = {0};
      steps.add(
          () -> {
            try (NDManager scope = manager.newSubManager()) {
              List<MlmMasking.Masked> blocks = new ArrayList<>();
              for (int b = 0; b < batchSize; b++) {
                blocks.add(masking.apply(randomBlock(random, length), random));
              }
              MaskedLmBatch batch = MaskedLmBatch.of(scope, blocks);
              long start = System.nanoTime();
              trainer.step(step[0]++, () -> objective.loss(batch));
              return batch.tokens() / ((System.nanoTime() - start) / 1e9);
            }
          });
    }
    return alternate(variants, steps, "pretrain", length, "tokens/s");
  }

  /** Reviews/s of encoder + sentiment head on the [CLS] query, per variant, alternating. */
  Map<String, Samples> inference(NDManager manager, List<Variant> variants, int length) {
    List<DoubleSupplier> passes = new ArrayList<>();
    for (Variant variant : variants) {
      NarrowBertModel model = build(manager, variant.config());
      ParameterStore ps = new ParameterStore(manager, false);
      passes.add(
          () -> {
            JniUtils.setGradMode(false);
            try (NDManager scope = manager.newSubManager()) {
              Shape shape = new Shape(batchSize, length);
              NDArray ids = scope.randomInteger(MASK + 1, vocabSize, shape, DataType.INT64);
              ModelInputs inputs =
                  new ModelInputs(
                      ids, scope.zeros(shape, DataType.INT64), scope.ones(shape, DataType.INT64));
              QueryPositions cls = QueryPositions.cls(scope, batchSize);
              long start = System.nanoTime();
              NDArray x = model.encode(ps, inputs, cls, false).queryStates();
              model.sentimentHead().forward(ps, new NDList(x.get(":, 0, :")), false).head();
              x.toFloatArray(); // waits for the computation
              return batchSize / ((System.nanoTime() - start) / 1e9);
            }
          });
    }
    return alternate(variants, passes, "inference", length, "reviews/s");
  }

  /**
   * GFLOP/s of an n x n x n float32 matrix product per round; the best round is the machine's
   * practical peak (a slower round means something else had the cores).
   */
  Samples peakMatmul(NDManager manager, int matmulSize) {
    JniUtils.setGradMode(false);
    try (NDManager scope = manager.newSubManager()) {
      Shape shape = new Shape(matmulSize, matmulSize);
      NDArray a = scope.randomUniform(-1, 1, shape);
      NDArray b = scope.randomUniform(-1, 1, shape);
      double flops = 2.0 * matmulSize * matmulSize * matmulSize;
      List<Double> rates = new ArrayList<>();
      for (int r = -warmup; r < Math.max(3, rounds); r++) {
        long start = System.nanoTime();
        NDArray product = a.matMul(b); // synchronous on the CPU; copying it out would be timed too
        double seconds = (System.nanoTime() - start) / 1e9;
        product.close();
        if (r >= 0) {
          rates.add(flops / seconds / 1e9);
        }
      }
      return Samples.of(rates);
    }
  }

  /** Warm-up rounds, then {@code rounds} rounds of A B C ...; prints each round to stderr. */
  private Map<String, Samples> alternate(
      List<Variant> variants, List<DoubleSupplier> runs, String phase, int length, String unit) {
    for (int w = 0; w < warmup; w++) {
      runs.forEach(DoubleSupplier::getAsDouble);
    }
    List<List<Double>> rates = new ArrayList<>();
    variants.forEach(v -> rates.add(new ArrayList<>()));
    for (int r = 0; r < rounds; r++) {
      StringBuilder line =
          new StringBuilder(String.format(Locale.ROOT, "%s %d round %d:", phase, length, r + 1));
      for (int i = 0; i < variants.size(); i++) {
        double rate = runs.get(i).getAsDouble();
        rates.get(i).add(rate);
        line.append(String.format(Locale.ROOT, " %s %.1f", variants.get(i).name(), rate));
      }
      System.err.println(line.append(' ').append(unit));
    }
    Map<String, Samples> samples = new LinkedHashMap<>();
    for (int i = 0; i < variants.size(); i++) {
      samples.put(variants.get(i).name(), Samples.of(rates.get(i)));
    }
    return samples;
  }

  private int[] randomBlock(Random random, int length) {
    int[] block = new int[length];
    block[0] = CLS;
    for (int t = 1; t < length - 1; t++) {
      block[t] = MASK + 1 + random.nextInt(vocabSize - MASK - 1);
    }
    block[length - 1] = SEP;
    return block;
  }

  private static NarrowBertModel build(NDManager manager, NarrowBertConfig config) {
    NarrowBertModel model = new NarrowBertModel(config);
    model.initializeWeights(manager, 1);
    return model;
  }
}
