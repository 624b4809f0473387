package dev.narrowbert.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.bench.StackThroughput.Variant;
import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.model.LayerStack;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.output.JsonLine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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

    ObjectNode root = JsonLine.tree();
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
      new StackSection(
              new StackThroughput(batchSize, rounds, warmup, vocabSize, maskRate),
              sequenceLengths,
              batchSize,
              maskRate,
              matmulSize)
          .measure(root, bert, pretraining, inference, report, notes);
    }
    measureEntities(root, report, notes);
    report.write(root, out, notes);
    notes.forEach(System.out::println);
    System.out.println(JsonLine.of(root));
    return 0;
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
    if (batchSize < 1 || rounds < 1 || warmup < 0 || vocabSize <= StackThroughput.MASK + 1) {
      throw new ParameterException(
          spec.commandLine(), "--batch-size and --rounds must be >= 1, --vocab > 4");
    }
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }
}
