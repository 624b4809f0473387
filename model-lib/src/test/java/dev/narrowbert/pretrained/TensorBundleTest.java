package dev.narrowbert.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bundle format: {@link LevelDbTable} and {@link TensorBundle} on a generated bundle. */
class TensorBundleTest {

  private static BertReference reference;

  @BeforeAll
  static void load() {
    reference = BertReference.load();
  }

  private static TensorBundle index(byte[] bytes) throws IOException {
    return TensorBundle.index(bytes, "variables.index");
  }

  @ParameterizedTest(name = "{0} shard(s)")
  @ValueSource(ints = {1, 2})
  void everyFloatTensorReadsBackBitExactlyFromAnIndexOfManyBlocks(int shards) throws IOException {
    TensorBundleFixture fixture = new TensorBundleFixture(reference).withShards(shards);
    TensorBundleWriter.Bundle bundle = fixture.bundle();

    TensorBundle read = index(bundle.index());
    Map<String, PretrainedTensor> tensors =
        read.read(name -> !name.equals("global_step"), bundle.opener());

    assertThat(bundle.dataBlocks()).as("index data blocks").isGreaterThan(20);
    assertThat(read.shardCount()).isEqualTo(shards);
    assertThat(read.entries().keySet()).hasSize(fixture.google.size() + 1).contains("global_step");
    assertThat(tensors.keySet()).containsExactlyElementsOf(fixture.google.keySet());
    for (PretrainedTensor want : fixture.google.values()) {
      PretrainedTensor got = tensors.get(want.name());
      assertThat(got.shape()).as(want.name()).containsExactly(want.shape());
      assertThat(bits(got.values())).as(want.name()).containsExactly(bits(want.values()));
    }
  }

  @ParameterizedTest(name = "kept {0} bytes")
  @ValueSource(ints = {30, 2000})
  void aTruncatedIndexIsRefusedInOneLine(int kept) throws IOException {
    byte[] index = new TensorBundleFixture(reference).bundle().index();

    assertThatThrownBy(() -> index(Arrays.copyOf(index, kept)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("variables.index ")
        .hasMessageContaining("truncated")
        .hasMessageNotContaining("\n");
  }

  @Test
  void anIndexWithAnotherFooterMagicIsRefusedNamingTheMagicFound() throws IOException {
    byte[] index = new TensorBundleFixture(reference).bundle().index();
    index[index.length - 1] = 0x00; // the magic's most significant byte

    assertThatThrownBy(() -> index(index))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "variables.index does not end with the LevelDB table magic 0xdb4775248b80fb57"
                + " (found 0x004775248b80fb57): truncated, or not a TensorFlow variables.index");
  }

  @Test
  void aCorruptedIndexBlockFailsItsChecksum() throws IOException {
    byte[] index = new TensorBundleFixture(reference).bundle().index();
    index[100] ^= 0x10; // inside the first data block

    assertThatThrownBy(() -> index(index))
        .isInstanceOf(IOException.class)
        .hasMessage("variables.index is corrupt: the block at byte 0 fails its CRC-32C checksum");
  }

  @Test
  void aSnappyCompressedIndexIsRefusedByName() throws IOException {
    byte[] index = new TensorBundleFixture(reference).withSnappyFlag().bundle().index();

    assertThatThrownBy(() -> index(index))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Snappy-compressed block")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aTruncatedDataShardIsRefusedNamingTheTensorItCuts() throws IOException {
    TensorBundleWriter.Bundle whole = new TensorBundleFixture(reference).bundle();
    TensorBundle bundle = index(whole.index());
    BundleEntry cut =
        bundle.entries().get("bert/encoder/layer_1/intermediate/dense/kernel"); // 32 x 37
    byte[] shard = Arrays.copyOf(whole.shards().get(0), (int) cut.offset() + 100);
    TensorBundleWriter.Bundle truncated =
        new TensorBundleWriter.Bundle(whole.index(), List.of(shard), whole.dataBlocks());

    assertThatThrownBy(() -> bundle.read(name -> name.startsWith("bert/"), truncated.opener()))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "variables.index: data shard 0 of 1 ends inside tensor"
                + " bert/encoder/layer_1/intermediate/dense/kernel (bytes %d to %d): truncated",
            cut.offset(), cut.offset() + 32 * 37 * 4);
  }

  @Test
  void tensorBytesThatFailTheirChecksumAreRefusedNamingTheTensor() throws IOException {
    TensorBundleWriter.Bundle bundle = new TensorBundleFixture(reference).bundle();
    TensorBundle read = index(bundle.index());
    long offset = read.entries().get("bert/pooler/dense/bias").offset();
    bundle.shards().get(0)[(int) offset + 5] ^= 0x01;

    assertThatThrownBy(() -> read.read(name -> name.startsWith("bert/"), bundle.opener()))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "variables.index: tensor bert/pooler/dense/bias fails its CRC-32C checksum:"
                + " corrupt data");
  }

  @Test
  void aWantedTensorThatIsNotFloat32IsRefusedNamingItsDtype() throws IOException {
    TensorBundleWriter.Bundle bundle = new TensorBundleFixture(reference).bundle();

    assertThatThrownBy(
            () -> index(bundle.index()).read(name -> name.equals("global_step"), bundle.opener()))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "variables.index: tensor global_step has TensorFlow dtype 9;"
                + " only float32 (DT_FLOAT = 1) is read");
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }
}
