package dev.narrowbert.training;

/**
 * Hyper-parameters of a fine-tuning run.
 *
 * @param epochs passes over the training set
 * @param batchSize examples per step
 * @param learningRate peak AdamW learning rate (linear warm-up over the first 10%, then decay)
 * @param weightDecay AdamW decoupled weight decay (not on biases and LayerNorm)
 * @param maxGradientNorm global-norm clipping threshold
 * @param seed seeds the example order and dropout
 * @param evaluateEvery steps between validations; 0 validates once per epoch
 * @param patience validations without improvement before stopping early
 * @param maxSteps stop after this many steps even if epochs remain; 0 for no limit
 */
public record FineTuningSettings(
    int epochs,
    int batchSize,
    float learningRate,
    float weightDecay,
    float maxGradientNorm,
    long seed,
    int evaluateEvery,
    int patience,
    long maxSteps) {

  public FineTuningSettings {
    if (epochs < 1 || batchSize < 1 || learningRate <= 0 || patience < 1) {
      throw new IllegalArgumentException(
          "epochs, batch size and patience must be >= 1 and the learning rate > 0");
    }
    if (evaluateEvery < 0 || maxSteps < 0) {
      throw new IllegalArgumentException("--eval-every and --max-steps must be >= 0");
    }
  }
}
