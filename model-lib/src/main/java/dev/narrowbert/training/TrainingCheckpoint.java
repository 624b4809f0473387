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

/**
 * A resumable checkpoint in a run's output directory: the model directory files ({@link
 * ModelDirectory}, so the checkpoint is also a loadable model), {@code optimizer.state} (AdamW
 * moments and step count) and {@code training-state.json} (completed steps and settings). The data
 * position and every RNG draw are functions of (seed, step), so the step is the whole remaining
 * state. Files are written to a temporary directory first and moved in, so an interrupted write
 * leaves the previous checkpoint intact.
 */
public final class TrainingCheckpoint {

  public static final String OPTIMIZER_FILE = "optimizer.state";
  public static final String STATE_FILE = "training-state.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What {@code training-state.json} holds. */
  public record State(long step, PretrainingSettings settings) {}

  private TrainingCheckpoint() {}

  public static void save(
      Path directory,
      NarrowBertModel model,
      WordPieceVocabulary vocabulary,
      AdamW optimizer,
      State state)
      throws IOException {
    Path staging = directory.resolve(".checkpoint-tmp");
    ModelDirectory.save(model, vocabulary, staging);
    try (DataOutputStream out =
        new DataOutputStream(
            new BufferedOutputStream(Files.newOutputStream(staging.resolve(OPTIMIZER_FILE))))) {
      optimizer.save(out);
    }
    JSON.writeValue(staging.resolve(STATE_FILE).toFile(), state);
    for (String name :
        new String[] {
          ModelDirectory.CONFIG_FILE,
          ModelDirectory.VOCAB_FILE,
          ModelDirectory.PARAMS_FILE,
          OPTIMIZER_FILE,
          STATE_FILE
        }) {
      Files.move(
          staging.resolve(name), directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.delete(staging);
  }

  public static boolean exists(Path directory) {
    return Files.isRegularFile(directory.resolve(STATE_FILE));
  }

  public static State readState(Path directory) throws IOException {
    return JSON.readValue(directory.resolve(STATE_FILE).toFile(), State.class);
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
