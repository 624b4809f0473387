package dev.narrowbert.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Masked-LM pretraining of BERT (Devlin et al., 2019) with NarrowBERT's narrow MLM (Li et al.,
 * 2023) as a {@link BlockObjective}: each block is masked by {@link MlmMasking} with the step's RNG
 * and scored by {@link MaskedLmObjective}; the encoder and the MLM head train. {@link
 * BlockTraining} runs the loop.
 */
public final class MaskedLmPretraining implements BlockObjective<MaskedLmObjective.Evaluation> {

  private final NarrowBertModel model;
  private final MlmMasking masking;
  private final MaskedLmObjective objective;

  public MaskedLmPretraining(
      NDManager manager,
      NarrowBertModel model,
      WordPieceVocabulary vocabulary,
      PretrainingSettings settings) {
    this.model = model;
    int maskId = vocabulary.id("[MASK]");
    if (maskId < 0) {
      throw new IllegalArgumentException("vocabulary has no [MASK] token");
    }
    this.masking =
        new MlmMasking(
            settings.maskRate(),
            maskId,
            vocabulary.size(),
            Set.of(vocabulary.clsId(), vocabulary.sepId(), vocabulary.padId(), maskId));
    this.objective = new MaskedLmObjective(model, new ParameterStore(manager, false));
  }

  /** Parameters the MLM objective trains: the encoder and the MLM head. */
  public static List<Pair<String, Parameter>> trainableParameters(NarrowBertModel model) {
    ModelParts parts = ModelParts.of(model);
    List<Pair<String, Parameter>> trainable = new ArrayList<>();
    for (Pair<String, Parameter> p : model.getParameters()) {
      if (parts.isEncoder(p.getValue())
          || parts.belongsTo(p.getValue(), ModelParts.Part.MLM_HEAD)) {
        trainable.add(p);
      }
    }
    return trainable;
  }

  @Override
  public String name() {
    return "pretrain";
  }

  @Override
  public NarrowBertModel model() {
    return model;
  }

  @Override
  public List<Pair<String, Parameter>> trainableParameters() {
    return trainableParameters(model);
  }

  @Override
  public Step batch(NDManager scope, List<int[]> blocks, Random random) {
    MaskedLmBatch batch = MaskedLmBatch.of(scope, mask(blocks, random));
    return new Step() {
      @Override
      public int tokens() {
        return batch.tokens();
      }

      @Override
      public NDArray loss() {
        return objective.loss(batch);
      }
    };
  }

  @Override
  public HeldOut<MaskedLmObjective.Evaluation> heldOut() {
    return new HeldOut<>() {
      private double lossSum;
      private double correct;
      private double count;

      @Override
      public void add(NDManager scope, List<int[]> blocks, Random random) {
        double[] sums = objective.evaluate(MaskedLmBatch.of(scope, mask(blocks, random)));
        lossSum += sums[0];
        correct += sums[1];
        count += sums[2];
      }

      @Override
      public MaskedLmObjective.Evaluation result() {
        return new MaskedLmObjective.Evaluation(lossSum / count, correct / count, (long) count);
      }
    };
  }

  @Override
  public Map<String, Double> metrics(MaskedLmObjective.Evaluation evaluation) {
    return Map.of("eval_loss", evaluation.loss(), "eval_accuracy", evaluation.accuracy());
  }

  @Override
  public String describe(MaskedLmObjective.Evaluation evaluation) {
    return String.format(
        Locale.ROOT,
        "held-out MLM loss %.4f, accuracy %.4f",
        evaluation.loss(),
        evaluation.accuracy());
  }

  /** Pretraining logs no step-0 evaluation (its runs started so before the loops were merged). */
  @Override
  public boolean evaluatesBeforeTraining() {
    return false;
  }

  @Override
  public String chartTitle() {
    return "masked-LM pretraining";
  }

  @Override
  public Map<String, String> chartSeries() {
    return Map.of("train loss", "loss", "held-out loss", "eval_loss");
  }

  /** Each block masked with draws from {@code random}, in order. */
  private List<MlmMasking.Masked> mask(List<int[]> blocks, Random random) {
    List<MlmMasking.Masked> masked = new ArrayList<>(blocks.size());
    for (int[] block : blocks) {
      masked.add(masking.apply(block, random));
    }
    return masked;
  }
}
