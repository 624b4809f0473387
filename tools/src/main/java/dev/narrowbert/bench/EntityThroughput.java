package dev.narrowbert.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.Encoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The {@code entities} part of {@code bench model}: reviews/s of the whole analysis the job runs
 * (sentiment + entities + embedding) on real reviews with a real model, its weights run four ways:
 *
 * <ul>
 *   <li>as full BERT (the same weights with {@code :} removed from the layer stack);
 *   <li>as NarrowBERT with every word an NER query (the gate off);
 *   <li>as NarrowBERT gated (the model as shipped);
 *   <li>gated with the other key/value projection (fused if the model uses separate, and the
 *       reverse), which tells which one is faster on this machine.
 * </ul>
 *
 * Each round takes fresh reviews, sorts them by length and batches them as the job's token-budget
 * batching would; the variants alternate within every round. A model without a gate skips the gated
 * variants.
 */
final class EntityThroughput {

  static final String BERT = "BERT (same weights)";
  static final String EVERY_WORD = "NarrowBERT, every word a query";
  static final String GATED = "NarrowBERT gated";

  private record Variant(String name, ReviewAnalyzer analyzer) {}

  private EntityThroughput() {}

  /**
   * Measures and writes the {@code entities} node.
   *
   * @param perRound reviews per variant and round
   */
  static void measure(
      Path model,
      Path reviews,
      int batchSize,
      int perRound,
      int rounds,
      int warmup,
      ObjectNode root,
      BenchReport report,
      List<String> notes)
      throws IOException {
    List<String> texts = new ArrayList<>();
    ReviewJsonLines.read(reviews, review -> texts.add(review.text()));
    if (texts.size() < perRound) {
      throw new IllegalArgumentException(
          reviews + " has " + texts.size() + " reviews; the entities benchmark needs " + perRound);
    }
    Collections.shuffle(texts, new Random(42));
    List<Variant> variants = new ArrayList<>();
    try {
      variants.add(
          open(BERT, model, c -> c.withLayerStack(c.layerStack().replace(":", "")), false));
      variants.add(open(EVERY_WORD, model, UnaryOperator.identity(), false));
      NarrowBertConfig config = variants.get(1).analyzer().config();
      boolean gate = config.entityGate().present();
      String configured = config.fusedKeyValue() ? "fused" : "separate";
      String otherKind = config.fusedKeyValue() ? "separate" : "fused";
      String otherKeyValues = otherKind + " K/V";
      if (gate) {
        variants.add(open(GATED, model, UnaryOperator.identity(), true));
        variants.add(
            open(
                GATED + ", " + otherKeyValues,
                model,
                c -> c.withFusedKeyValue(!c.fusedKeyValue()),
                true));
      }
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      variants.forEach(v -> rates.put(v.name(), new ArrayList<>()));
      long tokens = 0;
      int next = 0;
      for (int round = -warmup; round < rounds; round++) {
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < perRound; i++) {
          sample.add(texts.get(next++ % texts.size()));
        }
        StringBuilder line =
            new StringBuilder(String.format(Locale.ROOT, "entities round %d:", round + 1));
        for (Variant variant : variants) {
          List<Encoding> encodings =
              new ArrayList<>(sample.stream().map(variant.analyzer()::encode).toList());
          encodings.sort(Comparator.comparingInt(Encoding::tokenCount));
          long start = System.nanoTime();
          for (int from = 0; from < encodings.size(); from += batchSize) {
            variant
                .analyzer()
                .analyzeEncoded(
                    encodings.subList(from, Math.min(from + batchSize, encodings.size())));
          }
          double rate = encodings.size() / ((System.nanoTime() - start) / 1e9);
          if (round >= 0) {
            rates.get(variant.name()).add(rate);
            if (variant == variants.get(0)) {
              tokens += encodings.stream().mapToLong(Encoding::tokenCount).sum();
            }
          }
          line.append(String.format(Locale.ROOT, " %s %.1f", variant.name(), rate));
        }
        System.err.println(line.append(" reviews/s"));
      }
      ObjectNode node = root.putObject("entities");
      node.put("model", model.toString());
      node.put("reviews_file", reviews.toString());
      node.put("layer_stack", config.layerStack());
      node.put("fused_key_value", config.fusedKeyValue());
      node.put("batch_size", batchSize).put("reviews_per_round", perRound).put("rounds", rounds);
      node.put("mean_tokens", (double) tokens / Math.max(1, rounds * perRound));
      node.put("gate", gate);
      double bert = Samples.of(rates.get(BERT)).median();
      ObjectNode detail = node.putObject("variants");
      for (Variant variant : variants) {
        Samples samples = Samples.of(rates.get(variant.name()));
        ObjectNode v = samples.writeTo(detail.putObject(variant.name()));
        v.put("unit", "reviews/s");
        v.put("speedup_over_bert", samples.median() / bert);
        ReviewAnalyzer.QueryShare share = variant.analyzer().queryShare();
        v.put("word_query_share", share.share());
        if (variant != variants.get(0)) {
          report.value(
              "measured", "analysis with entities: " + variant.name(), samples.median() / bert);
        }
      }
      double everyWord = Samples.of(rates.get(EVERY_WORD)).median();
      node.put("ungated_speedup", everyWord / bert);
      if (gate) {
        double gated = Samples.of(rates.get(GATED)).median();
        double other = Samples.of(rates.get(GATED + ", " + otherKeyValues)).median();
        node.put("gated_speedup", gated / bert);
        node.put("gated_over_ungated", gated / everyWord);
        node.put("faster_key_value", other > gated ? otherKind : configured);
        node.put("other_key_value_over_configured", other / gated);
        node.put("gated_word_query_share", variants.get(2).analyzer().queryShare().share());
      }
      notes.add(
          String.format(
              Locale.ROOT,
              "analysis with entities (%.0f tokens a review on average): NarrowBERT every word %.2fx BERT%s",
              node.get("mean_tokens").asDouble(),
              everyWord / bert,
              gate
                  ? String.format(
                      Locale.ROOT,
                      ", gated %.2fx BERT (%.1f%% of words queried)",
                      node.get("gated_speedup").asDouble(),
                      100 * node.get("gated_word_query_share").asDouble())
                  : " (the model has no entity gate)"));
    } finally {
      variants.forEach(v -> v.analyzer().close());
    }
  }

  private static Variant open(
      String name, Path model, UnaryOperator<NarrowBertConfig> adjust, boolean gate)
      throws IOException {
    ReviewAnalyzer analyzer = ReviewAnalyzer.open(model, "cpu", Precision.FP32, adjust);
    return new Variant(name, analyzer.useEntityGate(gate));
  }
}
