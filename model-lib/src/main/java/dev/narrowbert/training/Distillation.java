package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Distillation as a {@link BlockObjective}: a frozen teacher (normally the weights run as full
 * BERT) teaches a student (normally the same weights run as NarrowBERT, Li et al., ACL 2023) to
 * reproduce its final states at [CLS] and at a seeded share of positions ({@link
 * DistillationQueries}, {@link DistillationObjective}) and, with a head weight W > 0, its heads'
 * soft targets ({@link SoftTargets}). With W = 0 only the student's encoder trains and its heads
 * are carried over unchanged, so a student made from a fine-tuned teacher keeps using the teacher's
 * heads; with W > 0 the sentiment and entity heads, which the loss then reaches, train too.
 *
 * <p>The query positions of step s come from the step's RNG ({@link BlockTraining}), so a resumed
 * run continues exactly. The held-out figures use fixed positions, so evaluations at different
 * steps compare.
 */
public final class Distillation implements BlockObjective<DistillationObjective.Evaluation> {

  private final NarrowBertModel student;
  private final WordPieceVocabulary vocabulary;
  private final DistillationTargets targets;
  private final DistillationQueries queries;
  private final DistillationObjective objective;

  public Distillation(
      NDManager manager,
      NarrowBertModel teacher,
      NarrowBertModel student,
      WordPieceVocabulary vocabulary,
      DistillationSettings settings) {
    this.student = student;
    this.vocabulary = vocabulary;
    this.targets = settings.targets();
    Set<Integer> special = Set.of(vocabulary.clsId(), vocabulary.sepId(), vocabulary.padId());
    this.queries = new DistillationQueries(settings.queryRate(), special);
    this.objective =
        new DistillationObjective(student, teacher, new ParameterStore(manager, false), targets);
  }

  /** Parameters state distillation trains: the student's encoder (embeddings and sublayers). */
  public static List<Pair<String, Parameter>> trainableParameters(NarrowBertModel student) {
    return trainableParameters(student, false);
  }

  /**
   * Parameters distillation trains: the student's encoder, and with {@code heads} also the
   * sentiment and entity heads (not the MLM head or the entity gate, which the loss never reaches).
   */
  public static List<Pair<String, Parameter>> trainableParameters(
      NarrowBertModel student, boolean heads) {
    ModelParts parts = ModelParts.of(student);
    List<Pair<String, Parameter>> trainable = new ArrayList<>();
    for (Pair<String, Parameter> p : student.getParameters()) {
      Parameter parameter = p.getValue();
      if (parts.isEncoder(parameter)
          || heads
              && (parts.belongsTo(parameter, ModelParts.Part.SENTIMENT_HEAD)
                  || parts.belongsTo(parameter, ModelParts.Part.ENTITY_HEAD))) {
        trainable.add(p);
      }
    }
    return trainable;
  }

  @Override
  public String name() {
    return "distill";
  }

  @Override
  public NarrowBertModel model() {
    return student;
  }

  @Override
  public List<Pair<String, Parameter>> trainableParameters() {
    return trainableParameters(student, targets.matchesHeads());
  }

  @Override
  public Step batch(NDManager scope, List<int[]> blocks, Random random) {
    DistillationBatch batch = withQueries(scope, blocks, random);
    return new Step() {
      private final Map<String, Double> parts = new LinkedHashMap<>();

      @Override
      public int tokens() {
        return batch.tokens();
      }

      @Override
      public NDArray loss() {
        // The teacher's forward runs inside the loss, within the trainer's scope of the step.
        DistillationObjective.Loss loss = objective.parts(batch, true);
        if (loss.heads() != null) {
          parts.put("loss_states", (double) loss.states().getFloat());
          parts.put("loss_heads", (double) loss.heads().getFloat());
        }
        return loss.total();
      }

      @Override
      public Map<String, Double> lossParts() {
        return parts;
      }
    };
  }

  @Override
  public HeldOut<DistillationObjective.Evaluation> heldOut() {
    DistillationObjective.Sums sums = new DistillationObjective.Sums();
    return new HeldOut<>() {
      @Override
      public void add(NDManager scope, List<int[]> blocks, Random random) {
        objective.evaluate(withQueries(scope, blocks, random), sums);
      }

      @Override
      public DistillationObjective.Evaluation result() {
        return sums.evaluation();
      }
    };
  }

  @Override
  public Map<String, Double> metrics(DistillationObjective.Evaluation evaluation) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("eval_mse", evaluation.mse());
    metrics.put("eval_cosine", evaluation.cosine());
    metrics.put("eval_cls_cosine", evaluation.clsCosine());
    metrics.put("eval_sentiment_agreement", evaluation.sentimentAgreement());
    metrics.put("eval_sentiment_kl", evaluation.sentimentKl());
    metrics.put("eval_entity_kl", evaluation.entityKl());
    return metrics;
  }

  @Override
  public String describe(DistillationObjective.Evaluation evaluation) {
    return String.format(
        Locale.ROOT,
        "held-out MSE %.6f, cosine %.5f, [CLS] cosine %.5f, sentiment agreement %.4f, KL %.5f",
        evaluation.mse(),
        evaluation.cosine(),
        evaluation.clsCosine(),
        evaluation.sentimentAgreement(),
        evaluation.sentimentKl());
  }

  @Override
  public boolean evaluatesBeforeTraining() {
    return true;
  }

  @Override
  public String chartTitle() {
    return "distillation into " + student.config().layerStack();
  }

  @Override
  public Map<String, String> chartSeries() {
    if (targets.matchesHeads()) {
      return Map.of("train loss", "loss", "train MSE", "loss_states", "held-out MSE", "eval_mse");
    }
    return Map.of("train MSE", "loss", "held-out MSE", "eval_mse");
  }

  /** The blocks with their query positions, drawn from {@code random} block by block. */
  private DistillationBatch withQueries(NDManager scope, List<int[]> blocks, Random random) {
    List<int[]> positions = new ArrayList<>(blocks.size());
    for (int[] block : blocks) {
      positions.add(queries.choose(block, random));
    }
    return DistillationBatch.of(scope, blocks, positions, vocabulary);
  }
}
