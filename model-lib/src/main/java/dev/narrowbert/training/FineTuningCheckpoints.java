package dev.narrowbert.training;

import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * When and where a {@link FineTuningLoop} saves its resumable {@link TrainingCheckpoint}: in {@code
 * out/resume}, apart from the best model that {@code out} itself holds, every {@code every} steps
 * and at {@code stopAfter}; deleted when the run finishes, since only an unfinished run needs it.
 */
final class FineTuningCheckpoints {

  private static final String DIRECTORY = "resume";

  private final Path directory;
  private final long every;
  private final long stopAfter;
  private final long total;

  /**
   * @param every steps between checkpoints; 0 for none
   * @param stopAfter the step after which the run stops, checkpointed
   * @param total the run's last step (a finished run needs no checkpoint)
   */
  FineTuningCheckpoints(Path out, long every, long stopAfter, long total) {
    this.directory = directory(out);
    this.every = every;
    this.stopAfter = stopAfter;
    this.total = total;
  }

  static Path directory(Path out) {
    return out.resolve(DIRECTORY);
  }

  /** Whether the run stops after {@code step} (before its end) to be resumed later. */
  boolean stopsAfter(long step) {
    return step >= stopAfter && step < total;
  }

  /** Whether a periodic checkpoint falls on {@code step}. */
  boolean due(long step) {
    return every > 0 && step % every == 0 && step < total;
  }

  void save(
      NarrowBertModel model, WordPieceVocabulary vocabulary, AdamW optimizer, FineTuningState state)
      throws IOException {
    Files.createDirectories(directory);
    TrainingCheckpoint.save(directory, model, vocabulary, optimizer, state);
  }

  /**
   * Reads the checkpoint's state, checks that it belongs to this run, and restores each task's
   * batch stream and the optimizer (the caller has loaded the checkpoint's weights).
   *
   * @throws IllegalArgumentException if the settings, the training-set sizes or the way the
   *     examples were made differ
   */
  FineTuningState restore(
      FineTuningSettings settings,
      List<Integer> trainingExamples,
      List<Map<String, String>> exampleSettings,
      List<TaskBatches<?>> tasks,
      AdamW optimizer,
      PrintStream log)
      throws IOException {
    FineTuningState state = TrainingCheckpoint.readState(directory, FineTuningState.class);
    if (!state.settings().equals(settings)) {
      throw new IllegalArgumentException(
          "--resume with different settings: checkpoint has "
              + state.settings()
              + ", command line gives "
              + settings);
    }
    if (!state.trainingExamples().equals(trainingExamples)) {
      throw new IllegalArgumentException(
          "--resume with different training data: checkpoint has "
              + state.trainingExamples()
              + " examples per task, command line gives "
              + trainingExamples);
    }
    if (!state.sameExampleSettings(exampleSettings)) {
      throw new IllegalArgumentException(
          "--resume with different example settings: checkpoint has "
              + state.exampleSettings()
              + ", command line gives "
              + exampleSettings);
    }
    for (int i = 0; i < tasks.size(); i++) {
      tasks.get(i).restore(state.positions().get(i));
    }
    TrainingCheckpoint.loadOptimizer(directory, optimizer);
    log.printf(Locale.ROOT, "resuming at step %d from %s%n", state.step(), directory);
    return state;
  }

  /** Removes the checkpoint of a finished run. */
  void deleteAll() throws IOException {
    if (Files.isDirectory(directory)) {
      TrainingCheckpoint.delete(directory);
      Files.deleteIfExists(directory);
    }
  }
}
