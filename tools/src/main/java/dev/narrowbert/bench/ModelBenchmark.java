package dev.narrowbert.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.bench.FlopCount.Head;
import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.model.LayerStack;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert bench model}: the paper's two headline ratios (Li et al., 2023, Tables 1 and 2)
 * measured side by side on random weights of the same size.
 *
 * <ul>
 *   <li>Pretraining: tokens/s of a full masked-LM step (forward, backward, clipping, AdamW; 15%
 *       masking, MLM head at the selected positions only) for BERT, NarrowBERT SparseQueries and
 *       ContextFirst.
 *   <li>Inference: reviews/s with the [CLS] query and the sentiment head, gradients off, for the
 *       same stacks, SparseQueries with fused and with separate K/V projections.
 *   <li>Analysis with entities ({@code entities} in the JSON): a real model's whole analysis of
 *       real reviews, as BERT, as NarrowBERT with every word a query and gated ({@link
 *       EntityThroughput}); {@code entities.gated_speedup} is gated NarrowBERT over BERT.
 * </ul>
 *
 * Every configuration is warmed up, then the configurations alternate (A B C A B C ...) so drift on
 * a shared machine hits all of them alike; each reports the median and spread of its rounds. Beside
 * each measured speedup over BERT stands the analytic FLOP ratio ({@link FlopCount}), and the run
 * measures this machine's matrix-multiply FLOP/s so the reader sees what fraction of the peak a
 * forward pass reaches.
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "BERT vs NarrowBERT pretraining and inference throughput, with FLOP ratios.")
public final class ModelBenchmark implements Callable<Integer> {

  private static final int PAD = 0;
  private static final int CLS = 1;
  private static final int SEP = 2;
  private static final int MASK = 3;

  @Spec private CommandSpec spec;

  @Option(names = "--quick", description = "Batch 4, 2 rounds: under 2 minutes on 2 cores.")
  private boolean quick;

  @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "JSON result.")
  private Path out;

  @Option(names = "--hidden", defaultValue = "256", description = "Hidden size d.")
  private int hidden;

  @Option(names = "--heads", defaultValue = "4", description = "Attention heads.")
  private int heads;

  @Option(names = "--intermediate", description = "Feed-forward width (default 4 x hidden).")
  private Integer intermediate;

  @Option(names = "--layers", defaultValue = "12", description = "Layers of every stack.")
  private int layers;

  @Option(names = "--full-layers", defaultValue = "2", description = "k: full-length layers.")
  private int fullLayers;

  @Option(
      names = "--seq-lens",
      defaultValue = "128,512",
      split = ",",
      description = "Sequence lengths; the last is the headline.")
  private List<Integer> sequenceLengths;

  @Option(names = "--batch-size", defaultValue = "8", description = "Examples per step.")
  private int batchSize;

  @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds per config.")
  private int rounds;

  @Option(names = "--warmup", defaultValue = "1", description = "Unmeasured rounds per config.")
  private int warmup;

  @Option(names = "--vocab", defaultValue = "30522", description = "Vocabulary size.")
  private int vocabSize;

  @Option(names = "--mask-rate", defaultValue = "0.15", description = "Masked-LM selection rate.")
  private float maskRate;

  @Option(names = "--matmul-size", defaultValue = "2048", description = "n of the peak n x n GEMM.")
  private int matmulSize;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description =
          "Real model for the analysis-with-entities part (default: the shipped models/default).")
  private Path model;

  @Option(
      names = "--reviews",
      paramLabel = "FILE",
      description =
          "Review JSON lines for the analysis-with-entities part (default:"
              + " ../shared/data/imdb/test.jsonl beside the project, if there; else that part is"
              + " skipped).")
  private Path reviews;

  @Option(
      names = "--entities-batch-size",
      defaultValue = "32",
      description =
          "Reviews per batch in the analysis with entities (default ${DEFAULT-VALUE}: about what"
              + " the job's 8192-token budget holds of IMDB-length reviews).")
  private int entitiesBatchSize;

  @Option(
      names = "--entities-only",
      description = "Measure only the analysis with entities (skip the random-weight stacks).")
  private boolean entitiesOnly;

  /** One model under test. */
  private record Variant(String name, NarrowBertConfig config) {}

  @Override
  public Integer call() throws Exception {
    validate();
    if (quick) {
      rounds = Math.min(rounds, 2);
      batchSize = Math.min(batchSize, 4);
    }
    Engine.getInstance(); // loads the native library before the JNI calls below
    int ff = intermediate == null ? 4 * hidden : intermediate;
    int maxLength = sequenceLengths.stream().mapToInt(Integer::intValue).max().orElseThrow();
    NarrowBertConfig bert =
        NarrowBertConfig.of(
            vocabSize, "random", hidden, heads, ff, LayerStack.bert(layers), maxLength);
    String sparse = LayerStack.sparseQueries(layers, fullLayers);
    List<Variant> pretraining =
        List.of(
            new Variant("BERT", bert),
            new Variant("SparseQueries k=" + fullLayers, bert.withLayerStack(sparse)),
            new Variant("ContextFirst", bert.withLayerStack(LayerStack.contextFirst(layers))));
    List<Variant> inference = new ArrayList<>(pretraining);
    inference.add(
        2,
        new Variant(
            "SparseQueries k=" + fullLayers + " unfused K/V",
            bert.withLayerStack(sparse).withFusedKeyValue(false)));

    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ObjectNode settings = root.putObject("settings");
    settings.put("hidden", hidden).put("heads", heads).put("intermediate", ff);
    settings.put("layers", layers).put("full_layers", fullLayers).put("batch_size", batchSize);
    settings.put("rounds", rounds).put("warmup", warmup).put("vocab", vocabSize);
    settings.put("mask_rate", maskRate).put("quick", quick);
    settings.put("threads", JniUtils.getNumThreads()).put("cores", cores());
    settings.putPOJO("seq_lens", sequenceLengths);

    BenchReport report = new BenchReport("NarrowBERT over BERT, same size", "speedup over BERT");
    List<String> notes = new ArrayList<>();
    if (!entitiesOnly) {
      measureStacks(root, bert, pretraining, inference, maxLength, report, notes);
    }
    measureEntities(root, report, notes);
    report.write(root, out, notes);
    notes.forEach(System.out::println);
    System.out.println(json.writeValueAsString(root));
    return 0;
  }

  /** Pretraining and [CLS] inference of the random-weight stacks, per sequence length. */
  private void measureStacks(
      ObjectNode root,
      NarrowBertConfig bert,
      List<Variant> pretraining,
      List<Variant> inference,
      int maxLength,
      BenchReport report,
      List<String> notes) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Samples peak = peakMatmul(manager);
      root.putObject("peak_matmul").put("n", matmulSize);
      peak.writeTo((ObjectNode) root.get("peak_matmul")).put("unit", "GFLOP/s");
      ObjectNode pretrainNode = root.putObject("pretraining");
      ObjectNode inferenceNode = root.putObject("inference");
      for (int length : sequenceLengths) {
        Map<String, Samples> trainRates = measurePretraining(manager, pretraining, length);
        Map<String, Samples> inferRates = measureInference(manager, inference, length);
        describe(pretrainNode, pretraining, trainRates, length, Head.MASKED_LM, report, "pretrain");
        describe(inferenceNode, inference, inferRates, length, Head.SENTIMENT, report, "inference");
        double bertForward = FlopCount.forward(bert, length, 1, Head.SENTIMENT) * batchSize;
        double achieved = inferRates.get("BERT").median() / batchSize * bertForward / 1e9;
        ObjectNode efficiency = root.with("efficiency").putObject("seq" + length);
        efficiency.put("bert_forward_gflops", achieved);
        efficiency.put("fraction_of_peak", achieved / peak.max());
      }
      String headline = "seq" + maxLength;
      pretrainNode.put("speedup", speedup(pretrainNode, headline, pretraining.get(1)));
      inferenceNode.put("speedup", speedup(inferenceNode, headline, inference.get(1)));
      notes.add(
          String.format(
              Locale.ROOT,
              "headline at %d tokens: pretraining %.2fx, inference %.2fx (%s over BERT)",
              maxLength,
              pretrainNode.get("speedup").asDouble(),
              inferenceNode.get("speedup").asDouble(),
              pretraining.get(1).name()));
      notes.add(
          String.format(
              Locale.ROOT,
              "peak %dx%d matmul: %.1f GFLOP/s; BERT forward at %d tokens reaches %.0f%% of it",
              matmulSize,
              matmulSize,
              peak.max(),
              maxLength,
              100 * root.get("efficiency").get(headline).get("fraction_of_peak").asDouble()));
    }
  }

  /** The analysis with entities on a real model and real reviews: {@link EntityThroughput}. */
  private void measureEntities(ObjectNode root, BenchReport report, List<String> notes)
      throws java.io.IOException {
    java.util.Optional<Path> directory =
        model != null ? java.util.Optional.of(model) : DefaultModel.directory();
    Path texts =
        reviews != null
            ? reviews
            : Path.of(System.getProperty(DefaultModel.HOME_PROPERTY, "."))
                .resolve("../shared/data/imdb/test.jsonl")
                .normalize();
    if (directory.isEmpty() || !java.nio.file.Files.isRegularFile(texts)) {
      notes.add(
          "analysis with entities skipped: pass --model DIR and --reviews FILE (no "
              + (directory.isEmpty() ? "default model" : texts.toString())
              + ")");
      return;
    }
    EntityThroughput.measure(
        directory.get(),
        texts,
        entitiesBatchSize,
        entitiesBatchSize * (quick ? 2 : 4),
        rounds,
        warmup,
        root,
        report,
        notes);
  }

  private void validate() {
    if (sequenceLengths.isEmpty() || sequenceLengths.stream().anyMatch(l -> l < 8)) {
      throw new ParameterException(spec.commandLine(), "--seq-lens must be >= 8 each");
    }
    if (fullLayers < 1 || fullLayers >= layers) {
      throw new ParameterException(
          spec.commandLine(), "--full-layers must be in [1, --layers), was " + fullLayers);
    }
    if (entitiesBatchSize < 1) {
      throw new ParameterException(spec.commandLine(), "--entities-batch-size must be >= 1");
    }
    if (batchSize < 1 || rounds < 1 || warmup < 0 || vocabSize <= MASK + 1) {
      throw new ParameterException(
          spec.commandLine(), "--batch-size and --rounds must be >= 1, --vocab > 4");
    }
  }

  /** Tokens/s of a full training step, per variant, alternating. */
  private Map<String, Samples> measurePretraining(
      NDManager manager, List<Variant> variants, int length) {
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
  private Map<String, Samples> measureInference(
      NDManager manager, List<Variant> variants, int length) {
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

  /** Per-variant detail under {@code node.seqL}, and the chart's measured/analytic bars. */
  private void describe(
      ObjectNode node,
      List<Variant> variants,
      Map<String, Samples> rates,
      int length,
      Head head,
      BenchReport report,
      String phase) {
    int queries = head == Head.MASKED_LM ? Math.max(1, Math.round(maskRate * length)) : 1;
    double bertFlops = FlopCount.forward(variants.get(0).config(), length, queries, head);
    double bertRate = rates.get(variants.get(0).name()).median();
    ObjectNode perLength = node.putObject("seq" + length);
    for (Variant variant : variants) {
      Samples samples = rates.get(variant.name());
      double flops = FlopCount.forward(variant.config(), length, queries, head);
      ObjectNode detail = perLength.putObject(variant.name());
      detail.put("layer_stack", variant.config().layerStack());
      detail.put("fused_key_value", variant.config().fusedKeyValue());
      detail.put("unit", head == Head.MASKED_LM ? "tokens/s" : "reviews/s");
      samples.writeTo(detail);
      detail.put("forward_gflops_per_example", flops / 1e9);
      detail.put("measured_speedup", samples.median() / bertRate);
      detail.put("analytic_speedup", bertFlops / flops);
      if (variant != variants.get(0)) {
        String category = phase + " " + length + ": " + variant.name();
        report.value("measured", category, samples.median() / bertRate);
        report.value("analytic FLOP ratio", category, bertFlops / flops);
      }
    }
  }

  private static double speedup(ObjectNode phase, String length, Variant variant) {
    return phase.get(length).get(variant.name()).get("measured_speedup").asDouble();
  }

  /**
   * GFLOP/s of an n x n x n float32 matrix product per round; the best round is the machine's
   * practical peak (a slower round means something else had the cores).
   */
  private Samples peakMatmul(NDManager manager) {
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

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }
}
