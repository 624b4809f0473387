package dev.narrowbert.bench;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.output.JsonFile;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code narrowbert bench device}: the project's own inference ({@link ReviewAnalyzer}) on one
 * device, usually a GPU, checked against the CPU and then timed. No Flink: {@link #main} runs it on
 * a plain classpath, which is how it travels to a GPU machine (see {@code gpu/}).
 *
 * <ol>
 *   <li>Parity: the same reviews on the CPU in fp32 and on the device in fp32, then the device in
 *       fp16 against fp32: sentiment logits, embeddings, labels and entities ({@link
 *       AnalysisParity}).
 *   <li>Reviews/s of {@link ReviewAnalyzer#analyzeEncoded} (tokenisation excluded, the copy of the
 *       results to the host included) per precision and batch size, for three models of the same
 *       weights, alternating round by round: the model as it is ({@code narrow}); BERT, every
 *       sublayer full-length ({@code full}: the notation without {@code :}, which keeps the
 *       checkpoint's sublayer names); and the model with the other {@code fused_key_value} setting.
 *       Once with the reviews as they are, once with reviews that fill the model's maximum length,
 *       where NarrowBERT saves most (Li et al., 2023, report up to 3.5x for inference).
 * </ol>
 *
 * <p>{@code --preset base} replaces the checkpoint's weights by random ones of a named shape (the
 * shape of {@code bench model}), for the paper's comparison at 512 tokens.
 */
@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    description =
        "ReviewAnalyzer on a device: parity with the CPU, reviews/s in fp32 and fp16, "
            + "NarrowBERT vs BERT of the same weights.")
public final class DeviceBenchmark implements Callable<Integer> {

  static final String DEMO_REVIEWS =
      "embedded-kafka/src/main/resources/dev/narrowbert/kafka/topics/sample-reviews.jsonl";

  @Option(names = "--model", defaultValue = "models/default", description = "Model directory.")
  private Path model;

  @Option(
      names = "--preset",
      description = "Random weights of this preset (tiny, mini, base), --model's vocabulary.")
  private String preset;

  @Option(
      names = "--reviews",
      defaultValue = DEMO_REVIEWS,
      description = "JSON-lines reviews (field text); default: the demo's samples.")
  private Path reviews;

  @Option(names = "--device", defaultValue = "gpu", description = "auto, cpu, gpu or gpu:N.")
  private String device;

  @Option(names = "--batch-sizes", defaultValue = "1,8,32,128", split = ",")
  private List<Integer> batchSizes;

  @Option(names = "--precisions", defaultValue = "fp32,fp16", split = ",")
  private List<String> precisions;

  @Option(names = "--seconds", defaultValue = "1", description = "Timed seconds per model.")
  private double seconds;

  @Option(names = "--min-rounds", defaultValue = "5", description = "Timed rounds at least.")
  private int minRounds;

  @Option(names = "--warmup", defaultValue = "3", description = "Untimed rounds per model.")
  private int warmup;

  @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "JSON result.")
  private Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DeviceBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<String> texts = new ArrayList<>();
    ReviewJsonLines.read(reviews, review -> texts.add(review.text()));
    ObjectNode root = JsonLine.tree();
    List<Path> copies = new ArrayList<>();
    try {
      Path measured = preset == null ? model : randomWeights(model, preset, copies);
      Map<String, Path> variants = variants(measured, copies);
      try (ReviewAnalyzer cpu = ReviewAnalyzer.open(measured, "cpu", Precision.FP32);
          ReviewAnalyzer reference = ReviewAnalyzer.open(measured, device, Precision.FP32)) {
        describe(root.putObject("settings"), reference, texts.size());

        Map<String, List<Encoding>> lengths = new LinkedHashMap<>();
        lengths.put("reviews", texts.stream().map(cpu::encode).toList());
        lengths.put("max_length", fillToMaxLength(cpu, texts));
        ObjectNode parity = root.putObject("parity");
        Map<String, List<Analysis>> fp32 = new LinkedHashMap<>();
        for (var length : lengths.entrySet()) {
          fp32.put(length.getKey(), reference.analyzeEncoded(length.getValue()));
          List<Analysis> onCpu = cpu.analyzeEncoded(length.getValue());
          report(parity, "cpu_fp32_vs_device_fp32", length.getKey(), onCpu, fp32);
        }
        save(root);

        ArrayNode rows = root.putArray("throughput");
        DeviceThroughput throughput = new DeviceThroughput(warmup, seconds, minRounds);
        for (String name : precisions) {
          Precision precision = Precision.parse(name);
          Map<String, ReviewAnalyzer> analyzers = new LinkedHashMap<>();
          try {
            for (var variant : variants.entrySet()) {
              analyzers.put(
                  variant.getKey(), ReviewAnalyzer.open(variant.getValue(), device, precision));
            }
            for (var length : lengths.entrySet()) {
              if (precision != Precision.FP32) {
                List<Analysis> lower = analyzers.get("narrow").analyzeEncoded(length.getValue());
                report(parity, "device_fp32_vs_device_" + name, length.getKey(), lower, fp32);
              }
              for (int batchSize : batchSizes) {
                List<Encoding> batch = DeviceThroughput.cycle(length.getValue(), batchSize);
                List<Samples> rates = throughput.alternate(List.copyOf(analyzers.values()), batch);
                rows.add(
                    DeviceThroughput.row(
                        length.getKey(), batch, precision, analyzers.keySet(), rates));
                save(root); // a run cut short still leaves every row measured so far
              }
            }
          } finally {
            analyzers.values().forEach(ReviewAnalyzer::close);
          }
        }
      }
    } finally {
      for (Path copy : copies) {
        deleteRecursively(copy);
      }
    }
    System.out.println("wrote " + out);
    return 0;
  }

  /** The model as it is, BERT of the same weights, and the model with the other K/V setting. */
  private static Map<String, Path> variants(Path model, List<Path> copies) throws IOException {
    NarrowBertConfig config = NarrowBertConfig.load(model.resolve(ModelDirectory.CONFIG_FILE));
    Map<String, Path> variants = new LinkedHashMap<>();
    variants.put("narrow", model);
    variants.put("full", copy(model, copies, c -> c.withLayerStack(fullStack(c))));
    variants.put(
        config.fusedKeyValue() ? "narrow_separate_kv" : "narrow_fused_kv",
        copy(model, copies, c -> c.withFusedKeyValue(!c.fusedKeyValue())));
    return variants;
  }

  private void describe(ObjectNode settings, ReviewAnalyzer analyzer, int reviewCount) {
    NarrowBertConfig config = analyzer.config();
    settings.put("model", preset == null ? model.toString() : "random " + preset);
    settings.put("device", analyzer.device().toString());
    settings.put("engine", Engine.getInstance().getEngineName());
    settings.put("engine_version", Engine.getInstance().getVersion());
    settings.put("hidden", config.hiddenSize()).put("heads", config.numAttentionHeads());
    settings.put("intermediate", config.intermediateSize());
    settings.put("max_length", config.maxPositionEmbeddings());
    settings.put("narrow_stack", config.layerStack()).put("full_stack", fullStack(config));
    settings.put("fused_key_value", config.fusedKeyValue());
    settings.put("seconds", seconds).put("min_rounds", minRounds).put("warmup", warmup);
    settings.put("reviews", reviewCount).put("java", Runtime.version().toString());
    System.out.println("settings " + settings);
  }

  private static void report(
      ObjectNode parity,
      String pair,
      String length,
      List<Analysis> actual,
      Map<String, List<Analysis>> expected) {
    AnalysisParity result = AnalysisParity.of(expected.get(length), actual);
    result.writeTo(parity.withObjectProperty(pair).putObject(length));
    System.out.printf(Locale.ROOT, "parity %s, %s: %s%n", pair, length, result);
  }

  /** One review per text that fills the model's length: the texts from there on, joined. */
  private static List<Encoding> fillToMaxLength(ReviewAnalyzer analyzer, List<String> texts) {
    List<Encoding> filled = new ArrayList<>();
    for (int start = 0; start < texts.size(); start++) {
      StringBuilder text = new StringBuilder();
      Encoding encoding = analyzer.encode("");
      for (int i = 0; !encoding.truncated() && i < 100 * texts.size(); i++) {
        text.append(texts.get((start + i) % texts.size())).append(' ');
        encoding = analyzer.encode(text.toString());
      }
      filled.add(encoding);
    }
    return filled;
  }

  /** The stack with every sublayer full-length: its notation without {@code :}. */
  static String fullStack(NarrowBertConfig config) {
    return config.layerStack().replace(":", "");
  }

  /**
   * A temporary model directory with the same vocabulary and weights under a changed config (the
   * weights depend neither on where {@code :} is nor on {@code fused_key_value}); it is added to
   * {@code copies}, which the caller deletes.
   */
  static Path copy(Path model, List<Path> copies, UnaryOperator<NarrowBertConfig> change)
      throws IOException {
    Path copy = Files.createTempDirectory("narrowbert-variant-");
    copies.add(copy);
    NarrowBertConfig config = NarrowBertConfig.load(model.resolve(ModelDirectory.CONFIG_FILE));
    change.apply(config).save(copy.resolve(ModelDirectory.CONFIG_FILE));
    for (String file : List.of(ModelDirectory.VOCAB_FILE, ModelDirectory.PARAMS_FILE)) {
      Files.copy(model.resolve(file), copy.resolve(file));
    }
    return copy;
  }

  /** A temporary model directory: random weights of a preset, with the model's vocabulary. */
  private static Path randomWeights(Path model, String preset, List<Path> copies)
      throws IOException {
    Path directory = Files.createTempDirectory("narrowbert-" + preset + "-");
    copies.add(directory);
    WordPieceVocabulary vocabulary =
        WordPieceVocabulary.load(model.resolve(ModelDirectory.VOCAB_FILE));
    NarrowBertConfig config =
        NarrowBertConfig.preset(preset, vocabulary.size(), vocabulary.sha256());
    ModelDirectory.create(config, vocabulary, 17, directory);
    return directory;
  }

  private void save(ObjectNode root) throws IOException {
    JsonFile.write(out, root);
  }

  private static void deleteRecursively(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
