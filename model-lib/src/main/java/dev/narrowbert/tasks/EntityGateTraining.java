package dev.narrowbert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.narrowbert.data.ConllSentence;
import dev.narrowbert.model.EntityGate;
import dev.narrowbert.model.EntityGateSpec;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.pretrained.BertWeightMapping;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.training.AdamW;
import dev.narrowbert.training.MetricsLog;
import dev.narrowbert.training.ModelParts;
import dev.narrowbert.training.Trainer;
import dev.narrowbert.training.TrainingProgress;
import dev.narrowbert.training.WarmupLinearDecay;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Trains the entity gate ({@link EntityGate}) of a fine-tuned model on its frozen encoder, then
 * chooses the gate's threshold on validation data for a target recall of entity words.
 *
 * <p>The encoder does not change, so the full-length states of every training word's first
 * sub-token are computed once (one pass over the sentences through the embeddings and the full
 * layers only) and the gate, a two-layer perceptron, is trained on them with binary cross-entropy:
 * is this word part of an entity (its gold tag is not {@code O})? The threshold is the largest gate
 * probability that still passes {@code recall} of the validation set's entity words; the model's
 * outputs for the words that pass are exactly what they were without the gate, since each
 * narrow-layer query reads only the fixed full-length states.
 *
 * <p>{@link GateWords} prepares the words, {@link GateThreshold} chooses the threshold; this class
 * trains the gate and assembles the gated model.
 */
public final class EntityGateTraining {

  /**
   * What the gate learned and chose.
   *
   * @param model the start model's weights plus the trained gate, its threshold in the config
   * @param validationRecall share of validation entity words at or above the threshold
   * @param validationQueryShare share of all validation words at or above the threshold
   * @param lowerCaseRecall the same recall with the validation text in lower case
   * @param lowerCaseQueryShare the same share with the validation text in lower case
   * @param trainWords words the gate was trained on ({@code trainEntityWords} of them entities)
   */
  public record Result(
      NarrowBertModel model,
      double validationRecall,
      double validationQueryShare,
      double lowerCaseRecall,
      double lowerCaseQueryShare,
      long trainWords,
      long trainEntityWords) {}

  /**
   * @param hiddenSize width of the gate's hidden layer
   * @param epochs passes over the training words
   * @param batchSize words per step
   * @param learningRate peak AdamW learning rate (warm-up 10 %, then linear decay)
   * @param recall target share of validation entity words the gate passes
   */
  public record Settings(
      int hiddenSize, int epochs, int batchSize, float learningRate, double recall, long seed) {

    public Settings {
      if (hiddenSize < 1 || epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException(
            "gate hidden size, epochs, batch size and learning rate must be > 0");
      }
      if (!(recall > 0 && recall <= 1)) {
        throw new IllegalArgumentException("--recall must be in (0, 1], was " + recall);
      }
    }
  }

  /** Share of training words shown as if their text were in lower case. */
  private static final double LOWER_CASE_SHARE = 0.25;

  private final NarrowBertModel start;
  private final int padId;
  private final int outsideTag;

  public EntityGateTraining(NarrowBertModel start, int padId) {
    this.start = start;
    this.padId = padId;
    this.outsideTag = start.config().entityLabels().indexOf("O");
  }

  public Result run(
      NDManager manager,
      List<TaggedSentence> train,
      List<TaggedSentence> valid,
      Settings settings,
      MetricsLog log)
      throws IOException {
    GateWords trainWords = GateWords.encode(start, padId, outsideTag, manager, train);
    GateWords validWords = GateWords.encode(start, padId, outsideTag, manager, valid);
    if (trainWords.entities() == 0 || validWords.entities() == 0) {
      throw new IllegalArgumentException(
          "the training and validation sentences need entity words (tags other than O)");
    }
    NarrowBertModel gated =
        new NarrowBertModel(
            start
                .config()
                .withEntityGate(new EntityGateSpec(settings.hiddenSize(), 0.5f, 0.5f, 0f)));
    gated.initializeWeights(manager, (int) settings.seed());
    BertWeightMapping.copyWeights(start, gated);
    List<Pair<String, Parameter>> gateParameters = new ArrayList<>();
    ModelParts parts = ModelParts.of(gated);
    for (Pair<String, Parameter> p : gated.getParameters()) {
      boolean gate = parts.belongsTo(p.getValue(), ModelParts.Part.ENTITY_GATE);
      p.getValue().getArray().setRequiresGradient(gate);
      if (gate) {
        gateParameters.add(p);
      }
    }
    train(manager, gated.entityGate(), gateParameters, trainWords, settings, log);
    float[] cased = probabilities(manager, gated.entityGate(), validWords, false);
    float[] lowerCased = probabilities(manager, gated.entityGate(), validWords, true);
    float threshold = GateThreshold.forRecall(cased, validWords.entity(), settings.recall());
    float lowerCaseThreshold =
        GateThreshold.forRecall(lowerCased, validWords.entity(), settings.recall());
    double[] casedFigures = GateThreshold.recallAndShare(cased, validWords.entity(), threshold);
    double[] lowerFigures =
        GateThreshold.recallAndShare(lowerCased, validWords.entity(), lowerCaseThreshold);
    NarrowBertModel result =
        withThreshold(
            manager,
            gated,
            new EntityGateSpec(
                settings.hiddenSize(), threshold, lowerCaseThreshold, (float) casedFigures[0]));
    return new Result(
        result,
        casedFigures[0],
        casedFigures[1],
        lowerFigures[0],
        lowerFigures[1],
        trainWords.count(),
        trainWords.entities());
  }

  /**
   * The sentences as they are, then packed one after another into texts of up to {@code maxTokens}
   * word pieces: the gate then also learns from words far into a long text, as in reviews (the
   * states of a word at position 200 differ from those at the short positions of a single sentence,
   * and a gate that saw only short sentences lets far too many words of long reviews through).
   */
  public static List<TaggedSentence> withPackedTexts(
      List<ConllSentence> sentences,
      WordPieceTokenizer tokenizer,
      List<String> labels,
      int maxTokens) {
    List<TaggedSentence> out = new ArrayList<>();
    List<String> words = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    int tokens = 2; // [CLS] and [SEP]
    List<TaggedSentence> packed = new ArrayList<>();
    for (ConllSentence sentence : sentences) {
      TaggedSentence single = TaggedSentence.of(sentence, tokenizer, labels);
      out.add(single);
      int length = single.encoding().tokenCount() - 2;
      if (!words.isEmpty() && tokens + length > maxTokens) {
        packed.add(TaggedSentence.of(new ConllSentence(words, tags, 0), tokenizer, labels));
        words.clear();
        tags.clear();
        tokens = 2;
      }
      words.addAll(sentence.words());
      tags.addAll(sentence.tags());
      tokens += length;
    }
    if (!words.isEmpty()) {
      packed.add(TaggedSentence.of(new ConllSentence(words, tags, 0), tokenizer, labels));
    }
    out.addAll(packed);
    return out;
  }

  private static void train(
      NDManager manager,
      EntityGate gate,
      List<Pair<String, Parameter>> parameters,
      GateWords words,
      Settings settings,
      MetricsLog log)
      throws IOException {
    int n = words.count();
    int d = words.hidden();
    long stepsPerEpoch = (n + settings.batchSize() - 1) / settings.batchSize();
    long total = stepsPerEpoch * settings.epochs();
    Trainer trainer =
        new Trainer(
            parameters,
            AdamW.bertDefaults(manager),
            new WarmupLinearDecay(settings.learningRate(), Math.max(1, total / 10), total),
            1.0f,
            settings.seed());
    ParameterStore ps = new ParameterStore(manager, false);
    Random random = new Random(settings.seed());
    int[] order = IntStream.range(0, n).toArray();
    long step = 0;
    try (TrainingProgress progress = new TrainingProgress("gate", total, 0)) {
      for (int epoch = 0; epoch < settings.epochs(); epoch++) {
        shuffle(order, random);
        for (int from = 0; from < n; from += settings.batchSize()) {
          int size = Math.min(settings.batchSize(), n - from);
          float[] x = new float[size * d];
          float[] c = new float[size * EntityGate.CASE_FEATURES];
          float[] y = new float[size];
          for (int i = 0; i < size; i++) {
            int word = order[from + i];
            System.arraycopy(words.states(), word * d, x, i * d, d);
            if (random.nextDouble() >= LOWER_CASE_SHARE) { // else: as if in lower case, 0
              System.arraycopy(
                  words.cases(),
                  word * EntityGate.CASE_FEATURES,
                  c,
                  i * EntityGate.CASE_FEATURES,
                  EntityGate.CASE_FEATURES);
            }
            y[i] = words.entity()[word] ? 1f : 0f;
          }
          Trainer.StepResult result =
              trainer.step(
                  step,
                  () -> {
                    NDArray states = manager.create(x, new Shape(1, size, d));
                    NDArray cases = manager.create(c, new Shape(1, size, EntityGate.CASE_FEATURES));
                    NDArray labels = manager.create(y, new Shape(1, size));
                    NDArray logits =
                        gate.forward(ps, new NDList(states, cases), true).head(); // (1, n)
                    // Binary cross-entropy on logits: softplus(z) - y * z.
                    return Activation.softPlus(logits).sub(logits.mul(labels)).mean();
                  });
          progress.step(step + 1, result.loss(), size);
          log.log(
              step + 1,
              Map.of(
                  "loss", (double) result.loss(),
                  "lr", (double) result.learningRate(),
                  "epoch", (double) step / stepsPerEpoch));
          step++;
        }
      }
    }
  }

  private static void shuffle(int[] order, Random random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  /** Gate probability of every word, with its text's case or as if in lower case. */
  private static float[] probabilities(
      NDManager manager, EntityGate gate, GateWords words, boolean lowerCased) {
    JniUtils.setGradMode(false);
    ParameterStore ps = new ParameterStore(manager, false);
    try (NDManager scope = manager.newSubManager()) {
      NDArray states = scope.create(words.states(), new Shape(1, words.count(), words.hidden()));
      Shape caseShape = new Shape(1, words.count(), EntityGate.CASE_FEATURES);
      NDArray cases = lowerCased ? scope.zeros(caseShape) : scope.create(words.cases(), caseShape);
      NDArray logits = gate.forward(ps, new NDList(states, cases), false).head();
      return Activation.sigmoid(logits).toFloatArray();
    }
  }

  /** A copy of {@code gated} whose config carries {@code spec} (threshold and recall). */
  private static NarrowBertModel withThreshold(
      NDManager manager, NarrowBertModel gated, EntityGateSpec spec) {
    NarrowBertModel model = new NarrowBertModel(gated.config().withEntityGate(spec));
    model.initializeWeights(manager, 0);
    BertWeightMapping.copyWeights(gated, model);
    return model;
  }
}
