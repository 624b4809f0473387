package dev.narrowbert.pretrained;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.Pooling;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.Truncation;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parity of a real import against the original graph: all-MiniLM-L6-v2 from its Maven jar, read by
 * {@link OnnxBertReader} and run as our 6-layer BERT, against ONNX Runtime running the same file.
 * Every token's final hidden state must agree, padding and segment ids included.
 */
class MiniLmImportParityITCase {

  private static final List<String> TEXTS =
      List.of(
          "Emma Stone was wonderful in this film, shot in Seattle.",
          "Worst purchase ever: the blender broke after two days and Amazon would not help.",
          "ok");

  @TempDir Path temp;

  @Test
  void importedMiniLmMatchesOnnxRuntimeOnTheOriginalGraph() throws Exception {
    Path jar = PretrainedSource.MINILM.resolveJar();
    byte[] onnx = PretrainedSource.onnxBytes(jar, PretrainedSource.MINILM.entry());
    WordPieceVocabulary vocabulary = WordPieceVocabulary.bertBaseUncased();
    Path dir = temp.resolve("minilm");
    PretrainedImport.write(
        OnnxBertReader.read(onnx, jar.toString()),
        12,
        "sfsfsfsfsfsf",
        64,
        Pooling.MEAN,
        Truncation.HEAD,
        vocabulary,
        1,
        "",
        dir);

    WordPieceTokenizer tokenizer = new WordPieceTokenizer(vocabulary, 64);
    int batch = TEXTS.size();
    int width = TEXTS.stream().mapToInt(t -> tokenizer.encode(t).ids().length).max().orElseThrow();
    long[][] ids = new long[batch][width];
    long[][] mask = new long[batch][width];
    long[][] types = new long[batch][width];
    for (int b = 0; b < batch; b++) {
      Encoding encoding = tokenizer.encode(TEXTS.get(b));
      for (int t = 0; t < encoding.ids().length; t++) {
        ids[b][t] = encoding.ids()[t];
        mask[b][t] = 1;
        types[b][t] = b == 1 && t > 3 ? 1 : 0; // a second segment in one example
      }
    }

    float[][][] reference;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
      inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
      inputs.keySet().retainAll(session.getInputNames());
      try (OrtSession.Result result = session.run(inputs)) {
        reference = (float[][][]) result.get(0).getValue();
      }
      inputs.values().forEach(OnnxTensor::close);
    }

    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory model = ModelDirectory.load(dir, manager);
      Shape shape = new Shape(batch, width);
      ModelInputs inputs =
          new ModelInputs(
              manager.create(flatten(ids), shape),
              manager.create(flatten(types), shape),
              manager.create(flatten(mask), shape));
      NDArray states =
          model
              .model()
              .encode(
                  new ParameterStore(manager, false),
                  inputs,
                  QueryPositions.all(manager, batch, width),
                  false)
              .contextStates()
              .toType(DataType.FLOAT32, false);
      float[] ours = states.toFloatArray();
      double worst = 0;
      for (int b = 0; b < batch; b++) {
        for (int t = 0; t < width; t++) {
          if (mask[b][t] == 0) {
            continue; // padding outputs are meaningless in both
          }
          for (int d = 0; d < 384; d++) {
            worst = Math.max(worst, Math.abs(ours[(b * width + t) * 384 + d] - reference[b][t][d]));
          }
        }
      }
      assertThat(worst).as("max |ours - ONNX Runtime| over real tokens").isLessThan(1e-4);
    }
  }

  private static long[] flatten(long[][] rows) {
    return java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
  }
}
