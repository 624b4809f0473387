package dev.narrowbert.checkpoint;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.WeightCast;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model on disk: {@code config.json} ({@link NarrowBertConfig}), {@code vocab.txt} and {@code
 * model.params} (DJL {@code Block.saveParameters} behind a small header). Loading checks that the
 * three agree: the vocabulary's size and SHA-256 against the config, and every weight's shape
 * against the shape the config implies, failing with a message that names the mismatch.
 */
public final class ModelDirectory {

  public static final String CONFIG_FILE = "config.json";
  public static final String VOCAB_FILE = "vocab.txt";
  public static final String PARAMS_FILE = "model.params";
  private static final String MAGIC = "narrowbert-params";
  private static final int FORMAT_VERSION = 1;

  private final Path directory;
  private final NarrowBertConfig config;
  private final WordPieceVocabulary vocabulary;
  private final NarrowBertModel model;

  private ModelDirectory(
      Path directory,
      NarrowBertConfig config,
      WordPieceVocabulary vocabulary,
      NarrowBertModel model) {
    this.directory = directory;
    this.config = config;
    this.vocabulary = vocabulary;
    this.model = model;
  }

  public Path directory() {
    return directory;
  }

  public NarrowBertConfig config() {
    return config;
  }

  public WordPieceVocabulary vocabulary() {
    return vocabulary;
  }

  /** The model; its weights belong to the manager passed to {@link #load}. */
  public NarrowBertModel model() {
    return model;
  }

  /** This model's tokenizer (see {@link #tokenizer(NarrowBertConfig, WordPieceVocabulary)}). */
  public ReviewTokenizer tokenizer() {
    return tokenizer(config, vocabulary);
  }

  /**
   * The one way to build a model's tokenizer: its vocabulary, its maximum length and its
   * truncation. The analyzer and the job's batcher both come here, so they cannot disagree.
   */
  public static ReviewTokenizer tokenizer(NarrowBertConfig config, WordPieceVocabulary vocabulary) {
    return new ReviewTokenizer(
        new WordPieceTokenizer(vocabulary, config.maxPositionEmbeddings(), config.truncation()));
  }

  /** A model directory's tokenizer, reading only its vocabulary and config, not its weights. */
  public static ReviewTokenizer readTokenizer(Path directory) throws IOException {
    return tokenizer(
        NarrowBertConfig.load(directory.resolve(CONFIG_FILE)),
        WordPieceVocabulary.load(directory.resolve(VOCAB_FILE)));
  }

  /**
   * Writes a randomly initialised model, e.g. from a preset, so the inference path can be exercised
   * before any trained checkpoint exists. The config's vocab size and hash are set from {@code
   * vocabulary}.
   */
  public static void create(
      NarrowBertConfig config, WordPieceVocabulary vocabulary, int seed, Path directory)
      throws IOException {
    NarrowBertConfig matching = config.withVocab(vocabulary.size(), vocabulary.sha256());
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel model = new NarrowBertModel(matching);
      model.initializeWeights(manager, seed);
      save(model, vocabulary, directory);
    }
  }

  /**
   * Writes config, vocabulary and weights of {@code model} into {@code directory}, the weights in
   * the number format they have (cast a copy to fp16 first to store half the bytes).
   */
  public static void save(NarrowBertModel model, WordPieceVocabulary vocabulary, Path directory)
      throws IOException {
    Files.createDirectories(directory);
    model.config().save(directory.resolve(CONFIG_FILE));
    vocabulary.save(directory.resolve(VOCAB_FILE));
    try (OutputStream file = Files.newOutputStream(directory.resolve(PARAMS_FILE));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file))) {
      out.writeUTF(MAGIC);
      out.writeInt(FORMAT_VERSION);
      model.saveParameters(out);
    }
  }

  /**
   * Loads and cross-checks a model directory.
   *
   * @throws IOException with a one-line message naming the missing file or the mismatch
   */
  public static ModelDirectory load(Path directory, NDManager manager) throws IOException {
    return load(directory, manager, java.util.function.UnaryOperator.identity());
  }

  /**
   * Loads a model directory with its config changed in ways that keep the weights' layout, such as
   * moving {@code :} in the layer stack (the same weights run as BERT or as another NarrowBERT) or
   * switching fused K/V.
   *
   * @param adjust applied to the saved config before the model is built
   */
  public static ModelDirectory load(
      Path directory, NDManager manager, java.util.function.UnaryOperator<NarrowBertConfig> adjust)
      throws IOException {
    for (String file : new String[] {CONFIG_FILE, VOCAB_FILE, PARAMS_FILE}) {
      if (!Files.isRegularFile(directory.resolve(file))) {
        throw new IOException("model directory " + directory + " has no " + file);
      }
    }
    NarrowBertConfig config = adjust.apply(NarrowBertConfig.load(directory.resolve(CONFIG_FILE)));
    WordPieceVocabulary vocabulary = WordPieceVocabulary.load(directory.resolve(VOCAB_FILE));
    if (vocabulary.size() != config.vocabSize()) {
      throw new IOException(
          mismatch(directory, "vocab.txt has " + vocabulary.size() + " tokens")
              + " vocab_size "
              + config.vocabSize());
    }
    if (!config.vocabHash().equals(vocabulary.sha256())) {
      throw new IOException(
          mismatch(directory, "vocab.txt has SHA-256 " + vocabulary.sha256())
              + " vocab_hash "
              + config.vocabHash());
    }
    NarrowBertModel model = new NarrowBertModel(config);
    model.initializeWeights(manager, 0);
    Map<String, Shape> expected = shapes(model);
    try (InputStream file = Files.newInputStream(directory.resolve(PARAMS_FILE));
        DataInputStream in = new DataInputStream(new BufferedInputStream(file))) {
      if (!MAGIC.equals(in.readUTF()) || in.readInt() != FORMAT_VERSION) {
        throw new IOException(directory.resolve(PARAMS_FILE) + " is not a narrowbert-params v1");
      }
      model.loadParameters(manager, in);
      // Weights may be stored in fp16 (half the size on disk); computation starts in fp32.
      WeightCast.cast(model, DataType.FLOAT32, manager);
      if (in.read() != -1) {
        throw new IOException(
            mismatch(directory, "model.params has more weights than the layer_stack")
                + " layer_stack "
                + config.layerStack());
      }
    } catch (MalformedModelException | RuntimeException | java.io.EOFException e) {
      throw new IOException(
          mismatch(directory, "model.params cannot be read as")
              + " (layer_stack "
              + config.layerStack()
              + "): "
              + e.getMessage(),
          e);
    }
    for (Map.Entry<String, Shape> entry : shapes(model).entrySet()) {
      Shape want = expected.get(entry.getKey());
      if (!entry.getValue().equals(want)) {
        throw new IOException(
            mismatch(directory, "weight " + entry.getKey() + " has shape " + entry.getValue())
                + " shape "
                + want
                + " (hidden_size "
                + config.hiddenSize()
                + ", intermediate_size "
                + config.intermediateSize()
                + ", vocab_size "
                + config.vocabSize()
                + ")");
      }
    }
    return new ModelDirectory(directory, config, vocabulary, model);
  }

  private static String mismatch(Path directory, String found) {
    return "checkpoint "
        + directory
        + " does not match its config.json: "
        + found
        + " but config says";
  }

  private static Map<String, Shape> shapes(NarrowBertModel model) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (Pair<String, Parameter> parameter : model.getParameters()) {
      shapes.put(parameter.getKey(), parameter.getValue().getArray().getShape());
    }
    return shapes;
  }
}
