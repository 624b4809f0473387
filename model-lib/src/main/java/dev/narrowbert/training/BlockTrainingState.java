package dev.narrowbert.training;

/**
 * What {@code training-state.json} of a {@link BlockTraining} run holds: the batch of step s and
 * every random draw are functions of (seed, s), so the step and the settings are the whole
 * remaining state. The layout ({@code {"step": s, "settings": {...}}}) is the one masked-LM
 * pretraining and distillation wrote before they shared one loop.
 *
 * @param step steps done
 * @param settings the run's settings
 */
public record BlockTrainingState<S extends BlockSettings<S>>(long step, S settings) {}
