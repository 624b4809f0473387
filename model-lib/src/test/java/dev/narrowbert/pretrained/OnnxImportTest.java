package dev.narrowbert.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.Pooling;
import dev.narrowbert.tokenizer.Truncation;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ONNX export -> Hugging Face names -> our parameters, on a generated tiny BERT. */
class OnnxImportTest {

  private final OnnxFixture fixture = new OnnxFixture();

  @TempDir Path temp;

  private static WordPieceVocabulary vocabulary(int size) {
    String lines =
        "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"
            + IntStream.range(5, size).mapToObj(i -> "w" + i).collect(Collectors.joining("\n"))
            + "\n";
    return WordPieceVocabulary.of(lines.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void readsEveryTensorUnderItsHuggingFaceNameWithLinearWeightsTransposedBack(boolean prefix)
      throws IOException {
    Map<String, PretrainedTensor> read = OnnxBertReader.read(fixture.onnx(prefix), "fixture.onnx");

    assertThat(read.keySet()).containsExactlyInAnyOrderElementsOf(fixture.tensors.keySet());
    for (PretrainedTensor want : fixture.tensors.values()) {
      PretrainedTensor got = read.get(want.name());
      assertThat(got.shape()).as(want.name()).containsExactly(want.shape());
      assertThat(got.values()).as(want.name()).containsExactly(want.values());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sfsf", "sf:sf", "ss:ff"})
  void theNthAttentionAndFeedForwardAreBertLayerNWhereverTheNarrowingIs(String stack)
      throws IOException {
    Map<String, PretrainedTensor> read = OnnxBertReader.read(fixture.onnx(false), "fixture.onnx");
    Path out = temp.resolve(stack.replace(':', '_'));
    PretrainedImport.write(
        read,
        4,
        stack,
        9,
        Pooling.MEAN,
        Truncation.HEAD,
        vocabulary(OnnxFixture.VOCAB),
        1,
        "test\n",
        out);

    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory loaded = ModelDirectory.load(out, manager);
      Map<String, Parameter> ours = BertWeightMapping.parameters(loaded.model());
      Map<String, String> sources = BertWeightMapping.sources(loaded.model());
      int secondAttention = stack.equals("ss:ff") ? 1 : 2;
      String key = String.format("encoder.sublayer_%02d_s.self.key.weight", secondAttention);
      assertThat(sources.get(key)).isEqualTo("encoder.layer.1.attention.self.key.weight");
      for (Map.Entry<String, String> entry : sources.entrySet()) {
        PretrainedTensor want = fixture.tensors.get(entry.getValue());
        if (want == null) {
          continue; // MLM head: not in the export
        }
        if (entry.getKey().equals("embeddings.position_embeddings")) {
          want = want.firstRows(9);
        }
        assertThat(ours.get(entry.getKey()).getArray().toFloatArray())
            .as(entry.getKey())
            .containsExactly(want.values());
      }
      assertThat(loaded.config().hiddenSize()).isEqualTo(OnnxFixture.HIDDEN);
      assertThat(loaded.config().intermediateSize()).isEqualTo(OnnxFixture.FF);
      assertThat(loaded.config().maxPositionEmbeddings()).isEqualTo(9);
      assertThat(Files.readString(out.resolve(PretrainedImport.NOTICE_FILE))).isEqualTo("test\n");
    }
  }

  @Test
  void defaultStackOfATwoLayerSourceIsPlainBert() throws IOException {
    Map<String, PretrainedTensor> read = OnnxBertReader.read(fixture.onnx(false), "f.onnx");
    var result =
        PretrainedImport.write(
            read,
            3,
            null,
            0,
            Pooling.CLS,
            Truncation.HEAD,
            vocabulary(OnnxFixture.VOCAB),
            1,
            "",
            temp.resolve("d"));
    assertThat(result.config().layerStack()).isEqualTo("sfsf");
  }

  @Test
  void bytesThatAreNotOnnxGiveOneLineNamingTheFile() {
    byte[] text = "just some text, not a model".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> OnnxBertReader.read(text, "notes.txt"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("notes.txt is not an ONNX model")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aVocabularyOfAnotherSizeIsRefusedByName() throws IOException {
    Map<String, PretrainedTensor> read = OnnxBertReader.read(fixture.onnx(false), "f.onnx");
    assertThatThrownBy(
            () ->
                PretrainedImport.write(
                    read,
                    4,
                    "sfsf",
                    0,
                    Pooling.CLS,
                    Truncation.HEAD,
                    vocabulary(60),
                    1,
                    "",
                    temp.resolve("v")))
        .isInstanceOf(IOException.class)
        .hasMessage("the pretrained word embeddings have 53 rows but the vocabulary has 60 tokens");
  }

  @Test
  void aDeeperStackThanTheSourceIsRefusedNamingBothDepths() throws IOException {
    Map<String, PretrainedTensor> read = OnnxBertReader.read(fixture.onnx(false), "f.onnx");
    assertThatThrownBy(
            () ->
                PretrainedImport.write(
                    read,
                    4,
                    "sf:sfsf",
                    0,
                    Pooling.CLS,
                    Truncation.HEAD,
                    vocabulary(53),
                    1,
                    "",
                    temp.resolve("x")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("needs 3 BERT layers; the source has 2");
  }

  @Test
  void moreHeadsThanTheWidthAllowsIsRefused() throws IOException {
    Map<String, PretrainedTensor> read = OnnxBertReader.read(fixture.onnx(false), "f.onnx");
    assertThatThrownBy(
            () ->
                PretrainedImport.write(
                    read,
                    5,
                    "sfsf",
                    0,
                    Pooling.CLS,
                    Truncation.HEAD,
                    vocabulary(53),
                    1,
                    "",
                    temp.resolve("h")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("num_attention_heads (5) must divide hidden_size 36");
  }
}
