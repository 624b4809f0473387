package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.ConllColumns;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.evaluation.ConfusionMatrix;
import dev.narrowbert.evaluation.EntitySpanScorer;
import dev.narrowbert.evaluation.EntityTagger;
import dev.narrowbert.evaluation.F1;
import dev.narrowbert.evaluation.SentimentClassifier;
import dev.narrowbert.inference.DeviceOption;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.model.DefaultModel;
import dev.narrowbert.model.ModelDirectory;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.training.EntityTask;
import dev.narrowbert.training.TaggedSentence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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

  @Option(names = "--max-len", description = "Tokens per example (default: the model's).")
  private Integer maxLength;

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
      WordPieceTokenizer tokenizer = new WordPieceTokenizer(directory.vocabulary(), length);
      ParameterStore ps = new ParameterStore(manager, false);
      int padId = directory.vocabulary().padId();
      ObjectNode result =
          task.equals("sentiment")
              ? sentiment(new SentimentClassifier(directory.model(), ps, padId), tokenizer, manager)
              : entities(
                  new EntityTask(
                      new EntityTagger(directory.model(), ps, padId),
                      directory.config().entityLabels(),
                      false),
                  tokenizer,
                  directory.config().entityLabels(),
                  manager);
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
    Runnable flush =
        () -> {
          List<Integer> order = new ArrayList<>();
          for (int i = 0; i < encodings.size(); i++) {
            order.add(i);
          }
          order.sort(Comparator.comparingInt(i -> encodings.get(i).tokenCount()));
          for (int from = 0; from < order.size(); from += batchSize) {
            List<Integer> batch = order.subList(from, Math.min(from + batchSize, order.size()));
            int[] predicted =
                classifier.predict(manager, batch.stream().map(encodings::get).toList());
            for (int i = 0; i < predicted.length; i++) {
              matrix.add(labels.get(batch.get(i)), predicted[i]);
            }
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
    Runnable flush =
        () -> {
          chunk.sort(Comparator.comparingInt(s -> s.encoding().tokenCount()));
          for (int from = 0; from < chunk.size(); from += batchSize) {
            List<TaggedSentence> batch =
                chunk.subList(from, Math.min(from + batchSize, chunk.size()));
            entityTask.scoreInto(manager, batch, total);
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
}
