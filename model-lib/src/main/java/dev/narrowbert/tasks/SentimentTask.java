package dev.narrowbert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.narrowbert.metrics.ConfusionMatrix;
import dev.narrowbert.model.MaskedCrossEntropy;
import dev.narrowbert.training.FineTuningTask;
import dev.narrowbert.training.ModelParts;
import java.util.List;

/**
 * Review sentiment as sequence classification on [CLS] (Devlin et al., 2019, Section 4.1), scored
 * by accuracy. Trains the encoder and the sentiment head; the entity and MLM heads are left as they
 * are, so an entity head fine-tuned earlier stays in the model directory.
 */
public final class SentimentTask implements FineTuningTask<SentimentExample> {

  private static final int BATCH = 64;
  private final SentimentClassifier classifier;
  private final ModelParts parts;
  private final int classes;
  private final boolean headOnly;

  /**
   * @param headOnly train the sentiment head only, with the encoder frozen (e.g. to refit the head
   *     on an encoder that NER fine-tuning has moved, without undoing the NER training)
   */
  public SentimentTask(SentimentClassifier classifier, int classes, boolean headOnly) {
    this.classifier = classifier;
    this.parts = ModelParts.of(classifier.model());
    this.classes = classes;
    this.headOnly = headOnly;
  }

  @Override
  public String name() {
    return "sentiment";
  }

  @Override
  public String metricName() {
    return "accuracy";
  }

  @Override
  public int tokens(SentimentExample example) {
    return example.encoding().tokenCount();
  }

  @Override
  public NDArray loss(NDManager scope, List<SentimentExample> batch) {
    NDArray logits =
        classifier.logits(scope, batch.stream().map(SentimentExample::encoding).toList(), true);
    long[] labels = batch.stream().mapToLong(SentimentExample::label).toArray();
    return MaskedCrossEntropy.loss(logits, scope.create(labels), null);
  }

  @Override
  public double validate(NDManager manager, List<SentimentExample> examples) {
    ConfusionMatrix matrix = new ConfusionMatrix(classes);
    for (int from = 0; from < examples.size(); from += BATCH) {
      List<SentimentExample> batch =
          examples.subList(from, Math.min(from + BATCH, examples.size()));
      int[] predicted =
          classifier.predict(manager, batch.stream().map(SentimentExample::encoding).toList());
      for (int i = 0; i < predicted.length; i++) {
        matrix.add(batch.get(i).label(), predicted[i]);
      }
    }
    return matrix.accuracy();
  }

  @Override
  public boolean trains(Parameter parameter) {
    return headOnly
        ? parts.belongsTo(parameter, ModelParts.Part.SENTIMENT_HEAD)
        : parts.isEncoder(parameter) || parts.belongsTo(parameter, ModelParts.Part.SENTIMENT_HEAD);
  }
}
