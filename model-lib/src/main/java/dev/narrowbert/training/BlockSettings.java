package dev.narrowbert.training;

/**
 * What a {@link BlockTraining} run saves in {@code training-state.json} besides the step: its
 * {@link BlockSchedule} and whatever its objective adds, so that {@code --resume} can refuse a
 * command line that would not continue the same run.
 *
 * @param <S> the settings record itself
 */
public interface BlockSettings<S extends BlockSettings<S>> {

  /** The settings every block-training run has. */
  BlockSchedule schedule();

  /** True if a run with {@code other} continues this run: all but the checkpoint interval agree. */
  boolean continues(S other);
}
