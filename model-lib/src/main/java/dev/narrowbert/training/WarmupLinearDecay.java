package dev.narrowbert.training;

/**
 * BERT's learning-rate schedule (Devlin et al., 2019, Appendix A.2; HF {@code
 * get_linear_schedule_with_warmup}): linear warm-up from 0 to the peak over {@code warmupSteps},
 * then linear decay to 0 at {@code totalSteps}.
 *
 * @param peak the learning rate at the end of warm-up
 * @param warmupSteps steps of warm-up (0 for none)
 * @param totalSteps the step at which the rate reaches 0
 */
public record WarmupLinearDecay(float peak, long warmupSteps, long totalSteps) {

  public WarmupLinearDecay {
    if (peak <= 0 || warmupSteps < 0 || totalSteps < 1 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException(
          "need peak > 0 and 0 <= warm-up <= total steps, got "
              + peak
              + ", "
              + warmupSteps
              + ", "
              + totalSteps);
    }
  }

  /** The rate for the update that completes step {@code step} (0-based). */
  public float at(long step) {
    if (step < warmupSteps) {
      return peak * (step + 1) / warmupSteps;
    }
    long remaining = totalSteps - step;
    long decaySteps = Math.max(1, totalSteps - warmupSteps);
    return peak * Math.max(0, remaining) / decaySteps;
  }
}
