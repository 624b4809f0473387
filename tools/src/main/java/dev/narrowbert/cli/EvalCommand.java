package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.ConllColumns;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.inference.DeviceOption;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.metrics.ConfusionMatrix;
import dev.narrowbert.metrics.EntitySpanScorer;
import dev.narrowbert.metrics.F1;
import dev.narrowbert.tasks.EntityTagger;
import dev.narrowbert.tasks.EntityTask;
import dev.narrowbert.tasks.SentimentClassifier;
import dev.narrowbert.tasks.TaggedSentence;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.Truncation;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert eval --task sentiment|ner [--model DIR] --data FILE}: streams the file in
 * chunks and prints, as its last stdout line, one JSON object. Sentiment: {@code
 * {"task":"sentiment","examples":N,"accuracy":A,"macro_f1":F}}. NER: {@code
 * {"task":"ner","sentences":N,"precision":P,"recall":R,"f1":F,"token_accuracy":T,"per_type":{...}}}
 * with entity-level scores as conlleval ({@link EntitySpanScorer}). All scores are fractions in [0,
 * 1].
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Scores a model directory on labelled reviews (sentiment) or CoNLL data (ner).")
public final class EvalCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK = 1024;

  @Spec private CommandSpec spec;

  @Option(names = "--task", required = true, description = "sentiment or ner.")
  private String task;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Model directory (default: the shipped models/default).")
  private Path model;

  @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled data.")
  private Path data;

  @Option(names = "--batch-size", defaultValue = "64", description = "Examples per forward.")
  private int batchSize;

  @Option(
      names = "--max-batch-tokens",
      defaultValue = "16384",
      description =
          "Padded tokens per forward (default ${DEFAULT-VALUE}): bounds memory, which grows with"
              + " batch x length x heads x length in attention.")
  private int maxBatchTokens;

  @Option(names = "--max-len", description = "Tokens per example (default: the model's).")
  private Integer maxLength;

  @Option(
      names = "--truncation",
      description = "head or head_tail: which tokens a longer review keeps (default: the model's).")
  private String truncation;

  @Option(
      names = "--entity-gate",
      defaultValue = "true",
      arity = "1",
      paramLabel = "true|false",
      description =
          "ner: query only the words the model's entity gate passes (default ${DEFAULT-VALUE}; a"
              + " model without a gate queries every word).")
  private boolean entityGate;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N.")
  private String device;

  @Option(
      names = "--precision",
      defaultValue = "fp32",
      description = "fp32 or fp16 weights and activations.")
  private String precision;

  @Override
  public Integer call() throws IOException {
    if (!task.equals("sentiment") && !task.equals("ner")) {
      throw new ParameterException(spec.commandLine(), "--task must be sentiment or ner");
    }
    if (!Files.isRegularFile(data)) {
      throw new ParameterException(spec.commandLine(), "--data " + data + " is not a file");
    }
    if (batchSize < 1) {
      throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1");
    }
    if (maxBatchTokens < 1) {
      throw new ParameterException(spec.commandLine(), "--max-batch-tokens must be >= 1");
    }
    Path modelDirectory;
    try {
      modelDirectory = DefaultModel.orDefault(model);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (!Files.isDirectory(modelDirectory)) {
      throw new ParameterException(
          spec.commandLine(), "--model " + modelDirectory + " is not a directory");
    }
    ai.djl.Device resolved;
    Precision format;
    try {
      resolved = DeviceOption.resolve(device);
      format = Precision.parse(precision);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    try (NDManager manager = NDManager.newBaseManager(resolved)) {
      ModelDirectory directory = ModelDirectory.load(modelDirectory, manager);
      format.castWeights(directory.model(), manager);
      int length =
          maxLength == null
              ? directory.config().maxPositionEmbeddings()
              : Math.min(maxLength, directory.config().maxPositionEmbeddings());
      Truncation kept;
      try {
        kept =
            truncation == null ? directory.config().truncation() : Truncation.fromJson(truncation);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      WordPieceTokenizer tokenizer = new WordPieceTokenizer(directory.vocabulary(), length, kept);
      ParameterStore ps = new ParameterStore(manager, false);
      int padId = directory.vocabulary().padId();
      ObjectNode result;
      if (task.equals("sentiment")) {
        result =
            sentiment(new SentimentClassifier(directory.model(), ps, padId), tokenizer, manager);
      } else {
        EntityTagger tagger =
            new EntityTagger(directory.model(), ps, padId).useEntityGate(entityGate);
        result =
            entities(
                new EntityTask(tagger, directory.config().entityLabels(), false),
                tokenizer,
                directory.config().entityLabels(),
                manager);
        EntityTagger.QueryCounts counts = tagger.queryCounts();
        ObjectNode gate = result.putObject("entity_gate");
        gate.put("on", tagger.entityGated());
        if (tagger.entityGated()) {
          gate.put("threshold", directory.config().entityGate().threshold());
          gate.put("lower_case_threshold", directory.config().entityGate().lowerCaseThreshold());
        }
        gate.put(
            "entity_word_recall", round(ratio(counts.entityWordsQueried(), counts.entityWords())));
        gate.put("query_share", round(ratio(counts.queried(), counts.words())));
      }
      spec.commandLine().getOut().println(JSON.writeValueAsString(result));
    }
    return 0;
  }

  private ObjectNode sentiment(
      SentimentClassifier classifier, WordPieceTokenizer tokenizer, NDManager manager)
      throws IOException {
    ConfusionMatrix matrix = new ConfusionMatrix(2);
    List<Encoding> encodings = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    long[] unlabelled = new long[1];
    ProgressBar progress = progress("reviews");
    Runnable flush =
        () -> {
          List<Integer> order = new ArrayList<>();
          for (int i = 0; i < encodings.size(); i++) {
            order.add(i);
          }
          order.sort(Comparator.comparingInt(i -> encodings.get(i).tokenCount()));
          for (List<Integer> batch : batches(order, i -> encodings.get(i).tokenCount())) {
            int[] predicted =
                classifier.predict(manager, batch.stream().map(encodings::get).toList());
            for (int i = 0; i < predicted.length; i++) {
              matrix.add(labels.get(batch.get(i)), predicted[i]);
            }
            progress.stepBy(batch.size());
          }
          encodings.clear();
          labels.clear();
        };
    BadLineReport report =
        ReviewJsonLines.read(
            data,
            review -> {
              if (review.label() == null) {
                unlabelled[0]++;
                return;
              }
              encodings.add(tokenizer.encode(review.text()));
              labels.add(review.label());
              if (encodings.size() == CHUNK) {
                flush.run();
              }
            });
    flush.run();
    progress.close();
    warn(report, unlabelled[0] > 0 ? unlabelled[0] + " reviews without a label skipped" : null);
    ObjectNode result = JSON.createObjectNode();
    result.put("task", "sentiment");
    result.put("examples", matrix.total());
    result.put("accuracy", round(matrix.accuracy()));
    result.put("macro_f1", round(matrix.macroF1()));
    return result;
  }

  private ObjectNode entities(
      EntityTask entityTask, WordPieceTokenizer tokenizer, List<String> labels, NDManager manager)
      throws IOException {
    EntitySpanScorer total = new EntitySpanScorer();
    List<TaggedSentence> chunk = new ArrayList<>();
    ProgressBar progress = progress("sentences");
    Runnable flush =
        () -> {
          chunk.sort(Comparator.comparingInt(s -> s.encoding().tokenCount()));
          for (List<TaggedSentence> batch : batches(chunk, s -> s.encoding().tokenCount())) {
            entityTask.scoreInto(manager, batch, total);
            progress.stepBy(batch.size());
          }
          chunk.clear();
        };
    BadLineReport report =
        ConllColumns.read(
            data,
            sentence -> {
              chunk.add(TaggedSentence.of(sentence, tokenizer, labels));
              if (chunk.size() == CHUNK) {
                flush.run();
              }
            });
    flush.run();
    progress.close();
    warn(report, null);
    ObjectNode result = JSON.createObjectNode();
    result.put("task", "ner");
    result.put("sentences", total.sentences());
    F1 overall = total.overall();
    result.put("precision", round(overall.precision()));
    result.put("recall", round(overall.recall()));
    result.put("f1", round(overall.f1()));
    result.put("token_accuracy", round(total.tokenAccuracy()));
    ObjectNode perType = result.putObject("per_type");
    for (Map.Entry<String, F1> type : total.perType().entrySet()) {
      perType
          .putObject(type.getKey())
          .put("precision", round(type.getValue().precision()))
          .put("recall", round(type.getValue().recall()))
          .put("f1", round(type.getValue().f1()));
    }
    return result;
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }

  private void warn(BadLineReport report, String extra) {
    if (report.badLines() > 0) {
      System.err.println(report.summary());
    }
    if (extra != null) {
      System.err.println(data + ": " + extra);
    }
  }

  private static double round(double value) {
    return Math.round(value * 1e6) / 1e6;
  }

  /**
   * Consecutive runs of {@code sorted} (shortest first) of at most --batch-size items whose padded
   * size, items x longest, stays within --max-batch-tokens (one item always forms a batch).
   */
  private <T> List<List<T>> batches(List<T> sorted, ToIntFunction<T> length) {
    List<List<T>> batches = new ArrayList<>();
    int from = 0;
    while (from < sorted.size()) {
      int to = from + 1;
      while (to < sorted.size()
          && to - from < batchSize
          && (long) (to - from + 1) * length.applyAsInt(sorted.get(to)) <= maxBatchTokens) {
        to++;
      }
      batches.add(sorted.subList(from, to));
      from = to;
    }
    return batches;
  }

  /** Examples done, rate and ETA on stderr; the total is the file's line count. */
  private ProgressBar progress(String unit) throws IOException {
    long lines = 0; // counted as bytes: a file with invalid UTF-8 is reported by the reader
    try (var in = new java.io.BufferedInputStream(Files.newInputStream(data))) {
      for (int b; (b = in.read()) != -1; ) {
        lines += b == '\n' ? 1 : 0;
      }
    }
    return new ProgressBarBuilder()
        .setTaskName("eval")
        .setInitialMax(unit.equals("reviews") ? lines : -1)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(System.err, 100))
        .setUpdateIntervalMillis(2000)
        .showSpeed()
        .setUnit(" " + unit, 1)
        .build();
  }
}
