package dev.narrowbert.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.model.TinyModels;
import dev.narrowbert.model.WeightCast;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {

  private static final WordPieceVocabulary VOCAB =
      WordPieceVocabulary.of(
          "[PAD]\n[UNK]\n[CLS]\n[SEP]\na\nb\nc\n".getBytes(StandardCharsets.UTF_8));

  @TempDir Path temp;

  private static NarrowBertConfig config() {
    return NarrowBertConfig.of(VOCAB.size(), VOCAB.sha256(), 36, 3, 37, "sf:sf", 11);
  }

  private static NDArray queryStates(NarrowBertModel model, NDManager manager) {
    ModelInputs inputs = TinyModels.inputs(manager, new int[] {5, 3, 6}, 1);
    ModelInputs inVocab =
        new ModelInputs(
            inputs.tokenIds().mod(VOCAB.size()), inputs.tokenTypeIds(), inputs.attentionMask());
    QueryPositions queries = QueryPositions.all(manager, 3, 6);
    return model.encode(new ParameterStore(manager, false), inVocab, queries, false).queryStates();
  }

  @Test
  void roundTripGivesIdenticalOutputs() throws Exception {
    Path dir = temp.resolve("model");
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel original = TinyModels.model(manager, config(), 3);
      ModelDirectory.save(original, VOCAB, dir);

      ModelDirectory loaded = ModelDirectory.load(dir, manager);

      assertThat(loaded.config()).isEqualTo(config());
      assertThat(loaded.vocabulary().sha256()).isEqualTo(VOCAB.sha256());
      assertThat(queryStates(loaded.model(), manager).toFloatArray())
          .containsExactly(queryStates(original, manager).toFloatArray());
    }
  }

  @Test
  void weightsStoredInFp16LoadAsFp32WithOnlyTheRoundingOfEachWeight() throws Exception {
    Path full = temp.resolve("fp32");
    Path half = temp.resolve("fp16");
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel original = TinyModels.model(manager, config(), 3);
      ModelDirectory.save(original, VOCAB, full);
      WeightCast.cast(original, DataType.FLOAT16, manager);
      ModelDirectory.save(original, VOCAB, half);

      ModelDirectory loaded = ModelDirectory.load(half, manager);
      ModelDirectory reference = ModelDirectory.load(full, manager);

      assertThat(Files.size(half.resolve(ModelDirectory.PARAMS_FILE)))
          .isLessThan(Files.size(full.resolve(ModelDirectory.PARAMS_FILE)) * 6 / 10);
      loaded
          .model()
          .getParameters()
          .values()
          .forEach(p -> assertThat(p.getArray().getDataType()).isEqualTo(DataType.FLOAT32));
      float[] got = queryStates(loaded.model(), manager).toFloatArray();
      float[] want = queryStates(reference.model(), manager).toFloatArray();
      for (int i = 0; i < want.length; i++) {
        assertThat(got[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(2e-2f));
      }
    }
  }

  @Test
  void failsNamingTheHiddenSizeWhenWeightsDoNotMatchConfig() throws Exception {
    Path dir = temp.resolve("model");
    ModelDirectory.create(config(), VOCAB, 1, dir);
    config().withHiddenSize(48, 3, 37).save(dir.resolve(ModelDirectory.CONFIG_FILE));

    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
          .hasMessageContaining("does not match its config.json")
          .hasMessageContaining("hidden_size 48")
          .hasMessageContaining("(7, 36)");
    }
  }

  @Test
  void failsNamingTheVocabHashWhenVocabDiffers() throws Exception {
    Path dir = temp.resolve("model");
    ModelDirectory.create(config(), VOCAB, 1, dir);
    Files.writeString(
        dir.resolve(ModelDirectory.VOCAB_FILE), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nx\ny\nz\n");

    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
          .hasMessageContaining("vocab_hash " + VOCAB.sha256());
    }
  }

  @Test
  void failsNamingTheLayerStackWhenTheStackHasMoreLayersThanTheWeights() throws Exception {
    Path dir = temp.resolve("model");
    ModelDirectory.create(config(), VOCAB, 1, dir);
    config().withLayerStack("sf:sfsf").save(dir.resolve(ModelDirectory.CONFIG_FILE));

    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
          .hasMessageContaining("layer_stack sf:sfsf");
    }
  }

  @Test
  void failsNamingTheMissingFile() throws Exception {
    Path dir = temp.resolve("model");
    ModelDirectory.create(config(), VOCAB, 1, dir);
    Files.delete(dir.resolve(ModelDirectory.PARAMS_FILE));

    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
          .hasMessageContaining("has no model.params");
    }
  }
}
