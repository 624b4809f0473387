package dev.narrowbert.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The model the project ships in {@code models/default}, used when no {@code --model} is given.
 *
 * <p>The launcher script sets the system property {@value #HOME_PROPERTY} to the project root; a
 * JVM started elsewhere (an IDE, a test) looks in {@code models/default} under the working
 * directory.
 */
public final class DefaultModel {
  /** System property naming the project root. */
  public static final String HOME_PROPERTY = "narrowbert.home";

  /** Where the default model lives, relative to the project root. */
  public static final String RELATIVE_PATH = "models/default";

  private DefaultModel() {}

  /** The default model directory, if it is there. */
  public static Optional<Path> directory() {
    Path home = Path.of(System.getProperty(HOME_PROPERTY, "."));
    Path directory = home.resolve(RELATIVE_PATH).toAbsolutePath().normalize();
    return Files.isRegularFile(directory.resolve(ModelDirectory.CONFIG_FILE))
        ? Optional.of(directory)
        : Optional.empty();
  }

  /**
   * {@code given} if not null, else the default model.
   *
   * @throws IllegalArgumentException when neither exists, saying how to get a model
   */
  public static Path orDefault(Path given) {
    if (given != null) {
      return given;
    }
    return directory()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no --model given and the default model ("
                        + RELATIVE_PATH
                        + ") is not there; pass --model DIR, train one with `narrowbert pretrain`"
                        + " and `narrowbert finetune`, or make an untrained one with `narrowbert"
                        + " init-model --preset mini --out DIR`"));
  }
}
