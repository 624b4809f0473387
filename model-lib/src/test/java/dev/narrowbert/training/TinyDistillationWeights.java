package dev.narrowbert.training;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The setup distillation tests share, as a JUnit extension: one set of tiny weights (hidden 36, 3
 * heads, FF 37, 16 positions) saved per test, loaded as a 4-layer BERT teacher ({@link #BERT}) and
 * as students with the same or a narrow stack. Register it on an instance field with
 * {@code @RegisterExtension}.
 */
final class TinyDistillationWeights implements BeforeEachCallback, AfterEachCallback {

  static final String BERT = "sfsfsfsf";

  // With one narrow layer the states would equal BERT's: its keys and values come from the
  // states after layer 2 either way. The second narrow layer is where they differ.
  static final String NARROW = "sfsf:sfsf";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final double initializerRange;
  private Path directory;
  private Path weights;

  /**
   * @param initializerRange the standard deviation of the random weights: BERT's 0.02 leaves
   *     attention almost uniform, so that the narrow student's states nearly equal BERT's; 0.2
   *     makes them differ as a trained model's do
   */
  TinyDistillationWeights(double initializerRange) {
    this.initializerRange = initializerRange;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    directory = Files.createTempDirectory("distillation-weights-");
    Path file = directory.resolve("config.json");
    TinyModelDirectory.config().withLayerStack(BERT).save(file);
    ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
    JSON.writeValue(file.toFile(), json.put("initializer_range", initializerRange));
    weights = TinyModelDirectory.create(directory.resolve("weights"), NarrowBertConfig.load(file));
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** The weights with {@code stack} as their layer stack (a fresh copy each call). */
  NarrowBertModel load(NDManager manager, String stack) throws IOException {
    return ModelDirectory.load(weights, manager, c -> c.withLayerStack(stack)).model();
  }

  WordPieceVocabulary vocabulary() {
    return TinyModelDirectory.vocabulary();
  }

  /**
   * {@code size} blocks of {@code length} with unequal content (b-th: {@code length - 2 - 2b} ids)
   * and their query positions at {@code rate}.
   */
  DistillationBatch batch(NDManager manager, int size, int length, float rate) {
    WordPieceVocabulary vocabulary = vocabulary();
    Random random = new Random(11);
    DistillationQueries queries =
        new DistillationQueries(
            rate, Set.of(vocabulary.clsId(), vocabulary.sepId(), vocabulary.padId()));
    List<int[]> blocks = new ArrayList<>();
    List<int[]> positions = new ArrayList<>();
    for (int b = 0; b < size; b++) {
      int[] block = block(random, length - 2 - 2 * b, length);
      blocks.add(block);
      positions.add(queries.choose(block, random));
    }
    return DistillationBatch.of(manager, blocks, positions, vocabulary);
  }

  /** [CLS], {@code content} ids with a [SEP] in the middle, [SEP], padding up to {@code length}. */
  int[] block(Random random, int content, int length) {
    WordPieceVocabulary vocabulary = vocabulary();
    int[] block = new int[length];
    Arrays.fill(block, vocabulary.padId());
    block[0] = vocabulary.clsId();
    for (int t = 1; t <= content; t++) {
      block[t] = t == content / 2 + 1 ? vocabulary.sepId() : 5 + random.nextInt(48);
    }
    block[content + 1] = vocabulary.sepId();
    return block;
  }
}
