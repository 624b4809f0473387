package dev.narrowbert.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.model.LayerStack;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sequence-classification throughput of BERT ({@code sf}×12) against NarrowBERT SparseQueries k=2
 * ({@code sfsf:} + {@code sf}×10) at the {@code base} shape (hidden 256, 4 heads, FF 1024), full
 * 512-token reviews and the [CLS] query only, as in Li et al. (2023), Table 2. Runs without
 * gradient recording, warms up, then alternates A B A B so drift hits both equally, and reports the
 * median reviews/s of each and their ratio.
 */
@Command(
    name = "inference",
    mixinStandardHelpOptions = true,
    description = "Measures BERT vs NarrowBERT inference throughput on random weights.")
public final class InferenceThroughput implements Callable<Integer> {

  @Option(names = "--batch-size", defaultValue = "8")
  private int batchSize;

  @Option(names = "--seq-len", defaultValue = "512")
  private int sequenceLength;

  @Option(names = "--warmup", defaultValue = "2")
  private int warmup;

  @Option(names = "--rounds", defaultValue = "5")
  private int rounds;

  @Option(names = "--out", description = "Also write the result as JSON here.")
  private Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new InferenceThroughput()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ai.djl.engine.Engine.getInstance(); // loads the native library before the JNI call below
    JniUtils.setGradMode(false);
    NarrowBertConfig base = NarrowBertConfig.preset("base", 30522, "random");
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel bert = build(manager, base.withLayerStack(LayerStack.bert(12)));
      NarrowBertModel narrow = build(manager, base);
      ParameterStore ps = new ParameterStore(manager, false);
      for (int i = 0; i < warmup; i++) {
        time(bert, ps, manager);
        time(narrow, ps, manager);
      }
      double[] bertRates = new double[rounds];
      double[] narrowRates = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        bertRates[r] = batchSize / time(bert, ps, manager);
        narrowRates[r] = batchSize / time(narrow, ps, manager);
      }
      double bertMedian = median(bertRates);
      double narrowMedian = median(narrowRates);
      ObjectNode result = new ObjectMapper().createObjectNode();
      result.put("batch_size", batchSize).put("seq_len", sequenceLength).put("rounds", rounds);
      result.put("threads", Runtime.getRuntime().availableProcessors());
      result.put("bert_stack", LayerStack.bert(12)).put("narrow_stack", base.layerStack());
      result.put("bert_reviews_per_s", bertMedian).put("narrow_reviews_per_s", narrowMedian);
      result.put("speedup", narrowMedian / bertMedian);
      result.putPOJO("bert_rounds", bertRates).putPOJO("narrow_rounds", narrowRates);
      System.out.printf(
          Locale.ROOT,
          "BERT %s: %.2f reviews/s%nNarrowBERT %s: %.2f reviews/s%nspeedup: %.2fx%n",
          LayerStack.bert(12),
          bertMedian,
          base.layerStack(),
          narrowMedian,
          narrowMedian / bertMedian);
      if (out != null) {
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
      }
    }
    return 0;
  }

  private static NarrowBertModel build(NDManager manager, NarrowBertConfig config) {
    NarrowBertModel model = new NarrowBertModel(config);
    model.initializeWeights(manager, 1);
    return model;
  }

  /** Seconds for one forward of a random batch through encoder + sentiment head. */
  private double time(NarrowBertModel model, ParameterStore ps, NDManager manager) {
    try (NDManager scope = manager.newSubManager()) {
      Shape shape = new Shape(batchSize, sequenceLength);
      NDArray ids = scope.randomInteger(1000, 30000, shape, DataType.INT64);
      ModelInputs inputs =
          new ModelInputs(
              ids, scope.zeros(shape, DataType.INT64), scope.ones(shape, DataType.INT64));
      QueryPositions cls = QueryPositions.cls(scope, batchSize);
      long start = System.nanoTime();
      NDArray x = model.encode(ps, inputs, cls, false).queryStates();
      NDArray logits =
          model.sentimentHead().forward(ps, new NDList(x.get(":, 0, :")), false).head();
      logits.toFloatArray(); // forces the computation to finish
      return (System.nanoTime() - start) / 1e9;
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
