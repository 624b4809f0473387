package dev.narrowbert.bench;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.bench.FlopCount.Head;
import dev.narrowbert.bench.StackThroughput.Variant;
import dev.narrowbert.model.NarrowBertConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The random-weight part of {@link ModelBenchmark}'s result: per sequence length, each stack's
 * measured rate ({@link StackThroughput}) beside its analytic FLOP count ({@link FlopCount}), the
 * speedups over BERT, and how much of the machine's matrix-multiply peak a BERT forward reaches.
 */
final class StackSection {
  private final StackThroughput throughput;
  private final List<Integer> sequenceLengths;
  private final int batchSize;
  private final float maskRate;
  private final int matmulSize;

  StackSection(
      StackThroughput throughput,
      List<Integer> sequenceLengths,
      int batchSize,
      float maskRate,
      int matmulSize) {
    this.throughput = throughput;
    this.sequenceLengths = sequenceLengths;
    this.batchSize = batchSize;
    this.maskRate = maskRate;
    this.matmulSize = matmulSize;
  }

  /**
   * Measures pretraining and [CLS] inference of {@code pretraining} and {@code inference} (the
   * first of each is BERT, the second the headline NarrowBERT) at every sequence length, and writes
   * {@code peak_matmul}, {@code pretraining}, {@code inference} and {@code efficiency} into {@code
   * root}, the chart's bars into {@code report} and two summary lines into {@code notes}.
   */
  void measure(
      ObjectNode root,
      NarrowBertConfig bert,
      List<Variant> pretraining,
      List<Variant> inference,
      BenchReport report,
      List<String> notes) {
    int maxLength = sequenceLengths.stream().mapToInt(Integer::intValue).max().orElseThrow();
    try (NDManager manager = NDManager.newBaseManager()) {
      Samples peak = throughput.peakMatmul(manager, matmulSize);
      root.putObject("peak_matmul").put("n", matmulSize);
      peak.writeTo((ObjectNode) root.get("peak_matmul")).put("unit", "GFLOP/s");
      ObjectNode pretrainNode = root.putObject("pretraining");
      ObjectNode inferenceNode = root.putObject("inference");
      for (int length : sequenceLengths) {
        Map<String, Samples> trainRates = throughput.pretraining(manager, pretraining, length);
        Map<String, Samples> inferRates = throughput.inference(manager, inference, length);
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
}
