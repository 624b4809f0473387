package dev.narrowbert.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A resumable checkpoint in a run's output directory: the model directory files ({@link
 * ModelDirectory}, so the checkpoint is also a loadable model), {@code optimizer.state} (AdamW
 * moments and step count) and {@code training-state.json}: for pretraining and distillation a
 * {@link BlockTrainingState} (the data position and every RNG draw are functions of (seed, step),
 * so the step is the whole remaining state), for fine-tuning {@link FineTuningState}. Files are
 * written to a temporary directory first and moved in, so an interrupted write leaves the previous
 * checkpoint intact.
 */
public final class TrainingCheckpoint {

  public static final String OPTIMIZER_FILE = "optimizer.state";
  public static final String STATE_FILE = "training-state.json";

  private static final List<String> FILES =
      List.of(
          ModelDirectory.CONFIG_FILE,
          ModelDirectory.VOCAB_FILE,
          ModelDirectory.PARAMS_FILE,
          OPTIMIZER_FILE,
          STATE_FILE);

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TrainingCheckpoint() {}

  public static void save(
      Path directory,
      NarrowBertModel model,
      WordPieceVocabulary vocabulary,
      AdamW optimizer,
      Object state)
      throws IOException {
    Path staging = directory.resolve(".checkpoint-tmp");
    ModelDirectory.save(model, vocabulary, staging);
    try (DataOutputStream out =
        new DataOutputStream(
            new BufferedOutputStream(Files.newOutputStream(staging.resolve(OPTIMIZER_FILE))))) {
      optimizer.save(out);
    }
    JSON.writeValue(staging.resolve(STATE_FILE).toFile(), state);
    for (String name : FILES) {
      Files.move(
          staging.resolve(name), directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.delete(staging);
  }

  /** Deletes the checkpoint's files from {@code directory} (a finished run needs none). */
  public static void delete(Path directory) throws IOException {
    for (String name : FILES) {
      Files.deleteIfExists(directory.resolve(name));
    }
  }

  public static boolean exists(Path directory) {
    return Files.isRegularFile(directory.resolve(STATE_FILE));
  }

  /** The state of a {@link BlockTraining} run whose settings are {@code settings}. */
  public static <S extends BlockSettings<S>> BlockTrainingState<S> readBlockState(
      Path directory, Class<S> settings) throws IOException {
    return JSON.readValue(
        directory.resolve(STATE_FILE).toFile(),
        JSON.getTypeFactory().constructParametricType(BlockTrainingState.class, settings));
  }

  /** The state saved with the checkpoint, as {@code type} (e.g. {@link FineTuningState}). */
  public static <T> T readState(Path directory, Class<T> type) throws IOException {
    return JSON.readValue(directory.resolve(STATE_FILE).toFile(), type);
  }

  /** Restores the optimizer; the model itself is loaded with {@link ModelDirectory#load}. */
  public static void loadOptimizer(Path directory, AdamW optimizer) throws IOException {
    try (DataInputStream in =
        new DataInputStream(
            new BufferedInputStream(Files.newInputStream(directory.resolve(OPTIMIZER_FILE))))) {
      optimizer.load(in);
    }
  }
}
