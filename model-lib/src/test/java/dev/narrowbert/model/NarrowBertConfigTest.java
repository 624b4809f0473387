package dev.narrowbert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NarrowBertConfigTest {

  @TempDir Path temp;

  @Test
  void baseIsTheBenchmarkShape() {
    NarrowBertConfig base = NarrowBertConfig.preset("base", 30522, "hash");

    assertThat(base.layerStack()).isEqualTo("sfsf:" + "sf".repeat(10));
    assertThat(base.hiddenSize()).isEqualTo(256);
    assertThat(base.numAttentionHeads()).isEqualTo(4);
    assertThat(base.intermediateSize()).isEqualTo(1024);
    assertThat(base.maxPositionEmbeddings()).isEqualTo(512);
  }

  @Test
  void survivesAJsonRoundTrip() throws Exception {
    NarrowBertConfig config =
        NarrowBertConfig.preset("mini", 77, "abc")
            .withPooling(Pooling.MEAN)
            .withFusedKeyValue(false);
    Path file = temp.resolve("config.json");

    config.save(file);

    assertThat(NarrowBertConfig.load(file)).isEqualTo(config);
    assertThat(Files.readString(file)).contains("\"layer_stack\"", "\"pooling\" : \"mean\"");
  }

  @Test
  void aConfigWithoutEntityGateLoadsAsOneWithoutAGate() throws Exception {
    Path file = temp.resolve("config.json");
    NarrowBertConfig.preset("tiny", 10, "").save(file);
    String json = Files.readString(file);
    Files.writeString(file, json.replaceAll(",\\s*\"entity_gate\"\\s*:\\s*\\{[^}]*\\}", ""));

    assertThat(Files.readString(file)).doesNotContain("entity_gate");
    assertThat(NarrowBertConfig.load(file).entityGate()).isEqualTo(EntityGateSpec.NONE);
    assertThat(new NarrowBertModel(NarrowBertConfig.load(file)).entityGate()).isNull();
  }

  @Test
  void keepsTheEntityGateThroughJson() throws Exception {
    NarrowBertConfig config =
        NarrowBertConfig.preset("tiny", 10, "")
            .withEntityGate(new EntityGateSpec(16, 0.125f, 0.0625f, 0.99f));
    Path file = temp.resolve("config.json");

    config.save(file);

    assertThat(NarrowBertConfig.load(file)).isEqualTo(config);
    assertThat(NarrowBertConfig.load(file).entityGate().present()).isTrue();
    assertThatThrownBy(() -> config.withEntityGate(new EntityGateSpec(16, 1.5f, 0.5f, 0.99f)))
        .hasMessageContaining("entity_gate.threshold must be in [0, 1]");
  }

  @Test
  void rejectsHeadsThatDoNotDivideHiddenSize() {
    assertThatThrownBy(() -> NarrowBertConfig.of(10, "", 36, 5, 37, "sf", 8))
        .hasMessageContaining("num_attention_heads (5) must divide hidden_size 36");
  }

  @Test
  void rejectsAnInvalidFileNamingTheProblem() throws Exception {
    Path file = temp.resolve("config.json");
    NarrowBertConfig.preset("tiny", 10, "").save(file);
    Files.writeString(file, Files.readString(file).replace("sf:sf", "sf::sf"));

    assertThatThrownBy(() -> NarrowBertConfig.load(file))
        .hasMessageContaining("config.json")
        .hasMessageContaining("more than one ':'");
  }

  @Test
  void rejectsUnknownPreset() {
    assertThatThrownBy(() -> NarrowBertConfig.preset("huge", 10, ""))
        .hasMessageContaining("unknown preset 'huge'");
  }
}
