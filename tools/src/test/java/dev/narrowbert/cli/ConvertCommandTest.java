package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.pretrained.BertWeightMapping;
import dev.narrowbert.tokenizer.Truncation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert}: fp16 storage, fewer positions, another truncation and version, weights kept. */
class ConvertCommandTest {

  @TempDir Path temp;

  @Test
  void storesHalfTheBytesKeepsTheFirstPositionsAndSetsTheTruncationAndVersion() throws Exception {
    Path source = TinyModelDirectory.create(temp.resolve("model"));
    Path out = temp.resolve("converted");
    Files.writeString(source.resolve("NOTICE"), "weights from somewhere\n");

    CommandRun run =
        CommandRun.of(
            new ConvertCommand(),
            "--model",
            source.toString(),
            "--out",
            out.toString(),
            "--store",
            "fp16",
            "--max-len",
            "8",
            "--truncation",
            "head_tail",
            "--model-version",
            "9.8.7");

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    assertThat(Files.size(out.resolve(ModelDirectory.PARAMS_FILE)))
        .isLessThan(Files.size(source.resolve(ModelDirectory.PARAMS_FILE)) * 6 / 10);
    assertThat(Files.readString(out.resolve("NOTICE"))).isEqualTo("weights from somewhere\n");
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory before = ModelDirectory.load(source, manager);
      ModelDirectory after = ModelDirectory.load(out, manager);
      assertThat(after.config().maxPositionEmbeddings()).isEqualTo(8);
      assertThat(after.config().truncation()).isEqualTo(Truncation.HEAD_TAIL);
      assertThat(after.config().modelVersion()).isEqualTo("9.8.7");
      assertThat(before.config().modelVersion()).isNotEqualTo("9.8.7");
      var was = BertWeightMapping.parameters(before.model());
      var now = BertWeightMapping.parameters(after.model());
      float[] positions = now.get("embeddings.position_embeddings").getArray().toFloatArray();
      float[] original =
          was.get("embeddings.position_embeddings").getArray().get("0:8").toFloatArray();
      assertThat(now.get("embeddings.position_embeddings").getArray().getDataType())
          .isEqualTo(DataType.FLOAT32);
      for (int i = 0; i < original.length; i++) {
        assertThat(positions[i]).isCloseTo(original[i], org.assertj.core.data.Offset.offset(1e-3f));
      }
      float[] query = now.get("encoder.sublayer_00_s.self.query.weight").getArray().toFloatArray();
      float[] queryBefore =
          was.get("encoder.sublayer_00_s.self.query.weight").getArray().toFloatArray();
      for (int i = 0; i < query.length; i++) {
        assertThat(query[i]).isCloseTo(queryBefore[i], org.assertj.core.data.Offset.offset(1e-3f));
      }
    }
  }

  @Test
  void moreKeptPositionsThanTheModelHasIsAUsageError() throws Exception {
    Path source = TinyModelDirectory.create(temp.resolve("model"));

    CommandRun run =
        CommandRun.of(
            new ConvertCommand(),
            "--model",
            source.toString(),
            "--out",
            temp.resolve("x").toString(),
            "--max-len",
            "100000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).contains("--max-len must be in [2, ");
  }
}
