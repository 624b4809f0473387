package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.inference.TagDecoding;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.tasks.EntityTagger;
import dev.narrowbert.tasks.SentimentClassifier;
import dev.narrowbert.tokenizer.Truncation;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert eval --task sentiment|ner|embedding [--model DIR] --data FILE}: scores a model
 * and prints, as its last stdout line, one JSON object. Sentiment: {@code
 * {"task":"sentiment","examples":N,"accuracy":A,"macro_f1":F}}. NER: {@code
 * {"task":"ner","sentences":N,"context":C,"tag_decoding":D,"precision":P,"recall":R,"f1":F,"token_accuracy":T,
 * "per_type":{...}}} with entity-level scores as conlleval ({@code --context}: document context).
 * Embedding: the K-nearest-neighbour sentiment-label agreement of the review embeddings under
 * cosine similarity, {@code {"task":"embedding","examples":N,"knn_label_agreement":A,...}},
 * optionally against a {@code --reference} model (see {@link EmbeddingEvaluation}). All scores are
 * fractions in [0, 1] (the similarity correlation in [-1, 1]). Sentiment and NER stream the file in
 * chunks; embedding keeps the labelled reviews (or a {@code --sample}) in memory. This class checks
 * the options and loads the model; {@link SentimentEvaluation}, {@link EntityEvaluation} and {@link
 * EmbeddingEvaluation} score.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Scores a model directory on labelled reviews (sentiment, embedding) or CoNLL data (ner).")
public final class EvalCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private DeviceSelection device;

  @Mixin private EmbeddingOptions embedding;

  @Option(names = "--task", required = true, description = "sentiment, ner or embedding.")
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

  @Option(
      names = "--max-len",
      description = "sentiment, ner: tokens per example (default: the model's).")
  private Integer maxLength;

  @Option(
      names = "--truncation",
      description =
          "sentiment, ner: head or head_tail, which tokens a longer review keeps (default: the"
              + " model's).")
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

  @Option(
      names = "--tag-decoding",
      defaultValue = "bio",
      paramLabel = "bio|argmax",
      description =
          "ner: the most probable valid BIO tag sequence (bio, default: Viterbi with I-X only"
              + " after B-X or I-X, as analyze and the job decode), or each word's most probable"
              + " tag on its own (argmax: how figures before this option were measured).")
  private String tagDecoding;

  /** {@link #tagDecoding}, parsed once by the argument checks. */
  private TagDecoding decoding;

  @Option(
      names = "--context",
      paramLabel = "N",
      description =
          "ner: read each sentence with up to N word pieces in all of the neighbouring sentences"
              + " of its document (FLERT): about half before, half after, whole words, never"
              + " across -DOCSTART-, at most what --max-len leaves beside the sentence. Only the"
              + " sentence's own words are tagged, gated and scored; the JSON records N as"
              + " \"context\". Default 0: each sentence alone.")
  private Integer context;

  @Option(
      names = "--precision",
      defaultValue = "fp32",
      description = "fp32 or fp16 weights and activations.")
  private String precision;

  @Option(
      names = "--valid-fraction",
      paramLabel = "F",
      description =
          "sentiment: score only the reviews of --data that `finetune --valid-fraction F"
              + " --valid-seed S` holds out (that run's validation reviews); needs --valid-seed.")
  private Double validFraction;

  @Option(
      names = "--valid-seed",
      paramLabel = "S",
      description = "The seed of the --valid-fraction split, as finetune's --valid-seed.")
  private Long validSeed;

  @Option(
      names = "--unseen-by",
      paramLabel = HeldOutReviews.FineTuningRun.FORMAT,
      description =
          "sentiment, with --valid-fraction and --valid-seed: score instead the labelled reviews"
              + " of --data that the fine-tuning runs given never trained on: neither held out"
              + " nor drawn in their steps, nor a copy of a drawn review's text. Each run is"
              + " finetune's --seed, --max-steps, --batch-size and --max-len (e.g. 42:800:16:128);"
              + " repeat the option for every run behind the model. The JSON records the"
              + " reviews' fingerprint as \"unseen\".")
  private List<String> unseenBy;

  /** {@link #unseenBy}, parsed once by the argument checks. */
  private List<HeldOutReviews.FineTuningRun> unseenRuns = List.of();

  @Override
  public Integer call() throws IOException {
    if (!List.of("sentiment", "ner", "embedding").contains(task)) {
      throw new ParameterException(
          spec.commandLine(), "--task must be sentiment, ner or embedding");
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
    if (context != null && !task.equals("ner")) {
      throw new ParameterException(spec.commandLine(), "--context is only for --task ner");
    }
    if (context != null && context < 0) {
      throw new ParameterException(
          spec.commandLine(), "--context must be >= 0 word pieces, was " + context);
    }
    checkHeldOutOptions();
    try {
      decoding = TagDecoding.fromJson(tagDecoding);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--" + e.getMessage(), e);
    }
    embedding.check(task);
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
      resolved = device.resolve();
      format = Precision.parse(precision);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    HeldOutReviews.Written heldOut = null;
    if (!unseenRuns.isEmpty()) {
      heldOut =
          HeldOutReviews.writeUnseen(
              data,
              validFraction,
              validSeed,
              unseenRuns,
              WordPieceVocabulary.load(modelDirectory.resolve(ModelDirectory.VOCAB_FILE)));
      spec.commandLine()
          .getErr()
          .printf(
              "sentiment: scoring the %d reviews of %s that the %d runs given never trained on"
                  + " (they drew %d, held out %s of seed %d; %d copies of drawn reviews left out),"
                  + " fingerprint %s%n",
              heldOut.count(),
              data,
              unseenRuns.size(),
              heldOut.drawn(),
              validFraction,
              validSeed,
              heldOut.copies(),
              heldOut.fingerprint());
    } else if (validFraction != null) {
      heldOut = HeldOutReviews.write(data, validFraction, validSeed);
      spec.commandLine()
          .getErr()
          .printf(
              "sentiment: scoring the %d reviews held out of %s (seed %d, fingerprint %s)%n",
              heldOut.count(), data, validSeed, heldOut.fingerprint());
    }
    ObjectNode result;
    try {
      result = score(modelDirectory, resolved, format, heldOut == null ? data : heldOut.file());
    } finally {
      if (heldOut != null) {
        Files.deleteIfExists(heldOut.file());
      }
    }
    if (heldOut != null) {
      result.put(unseenRuns.isEmpty() ? "held_out" : "unseen", heldOut.fingerprint());
    }
    spec.commandLine().getOut().println(JsonLine.of(result));
    return 0;
  }

  private void checkHeldOutOptions() {
    if (unseenBy != null) {
      if (validFraction == null) {
        throw new ParameterException(
            spec.commandLine(), "--unseen-by needs the runs' --valid-fraction and --valid-seed");
      }
      try {
        unseenRuns = unseenBy.stream().map(HeldOutReviews.FineTuningRun::parse).toList();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }
    if (validFraction == null && validSeed == null) {
      return;
    }
    if (!task.equals("sentiment")) {
      throw new ParameterException(
          spec.commandLine(), "--valid-fraction and --valid-seed are only for --task sentiment");
    }
    if (validFraction == null || validSeed == null) {
      throw new ParameterException(
          spec.commandLine(), "--valid-fraction and --valid-seed go together");
    }
    if (!(validFraction > 0 && validFraction < 1)) {
      throw new ParameterException(
          spec.commandLine(), "--valid-fraction must be > 0 and < 1, was " + validFraction);
    }
  }

  /** The task's scores on {@code scored} (--data, or the reviews held out of it). */
  private ObjectNode score(
      Path modelDirectory, ai.djl.Device resolved, Precision format, Path scored)
      throws IOException {
    EvalFile file = new EvalFile(scored);
    EvalBatching batching = new EvalBatching(batchSize, maxBatchTokens);
    ObjectNode result;
    if (task.equals("embedding")) {
      ReviewSample reviews = ReviewSample.read(file, embedding.sample(), embedding.seed());
      embedding.requireNeighbours(reviews.size());
      result =
          new EmbeddingEvaluation(device.option(), resolved, format, batching)
              .evaluate(reviews, modelDirectory, embedding.reference(), embedding.neighbours());
    } else {
      result = scoreTask(modelDirectory, resolved, format, file, batching);
    }
    return result;
  }

  /** Sentiment or NER, with the model loaded once at --max-len and --truncation. */
  private ObjectNode scoreTask(
      Path modelDirectory,
      ai.djl.Device resolved,
      Precision format,
      EvalFile file,
      EvalBatching batching)
      throws IOException {
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
      return task.equals("sentiment")
          ? SentimentEvaluation.evaluate(
              new SentimentClassifier(directory.model(), ps, padId),
              tokenizer,
              manager,
              file,
              batching)
          : EntityEvaluation.evaluate(
              new EntityTagger(directory.model(), ps, padId)
                  .useEntityGate(entityGate)
                  .useTagDecoding(decoding),
              directory.config(),
              tokenizer,
              manager,
              file,
              batching,
              context == null ? 0 : context);
    }
  }

  /** A score rounded to six decimals, as eval prints every score. */
  static double round(double value) {
    return Math.round(value * 1e6) / 1e6;
  }
}
