package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The distillation loss on one set of tiny weights (hidden 36, 3 heads, FF 37) saved once and
 * loaded as a 4-layer BERT teacher and as students with the same or a narrow stack.
 */
class DistillationObjectiveTest {

  private static final String BERT = TinyDistillationWeights.BERT;
  private static final String NARROW = TinyDistillationWeights.NARROW;
  private static final int LENGTH = 13;

  @RegisterExtension final TinyDistillationWeights weights = new TinyDistillationWeights(0.02);
  private final WordPieceVocabulary vocabulary = TinyModelDirectory.vocabulary();

  @Test
  void studentIdenticalToTheTeacherHasZeroLoss() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      DistillationObjective objective = objective(manager, BERT);

      float loss = objective.loss(batch(manager, 4, 0.5f), false).getFloat();

      assertThat((double) loss).isLessThan(1e-10);
    }
  }

  @Test
  void sameWeightsWithANarrowStackHaveAPositiveLoss() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      DistillationObjective objective = objective(manager, NARROW);

      float loss = objective.loss(batch(manager, 4, 0.5f), false).getFloat();

      assertThat(loss).isPositive();
    }
  }

  @Test
  void aTrainingStepChangesOnlyTheStudentsEncoder() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel teacher = load(manager, BERT);
      NarrowBertModel student = load(manager, NARROW);
      List<Pair<String, Parameter>> trainable = Distillation.trainableParameters(student);
      for (Pair<String, Parameter> p : trainable) {
        p.getValue().getArray().setRequiresGradient(true);
      }
      Map<Parameter, float[]> before = snapshot(student, teacher);
      DistillationObjective objective =
          new DistillationObjective(student, teacher, new ParameterStore(manager, false));
      Trainer trainer =
          new Trainer(
              trainable, AdamW.bertDefaults(manager), new WarmupLinearDecay(1e-3f, 0, 10), 1f, 3);
      DistillationBatch batch = batch(manager, 4, 0.5f);

      Trainer.StepResult result = trainer.step(0, () -> objective.loss(batch));

      assertThat(result.gradientNorm()).isPositive();
      ModelParts parts = ModelParts.of(student);
      int encoderChanged = 0;
      for (Pair<String, Parameter> p : student.getParameters()) {
        boolean changed = changed(p.getValue(), before);
        if (parts.isEncoder(p.getValue())) {
          encoderChanged += changed ? 1 : 0;
        } else {
          assertThat(changed).as("head parameter %s", p.getKey()).isFalse();
        }
      }
      assertThat(encoderChanged).isGreaterThan(trainable.size() / 2);
      assertThat(trainable).allMatch(p -> parts.isEncoder(p.getValue()));
      for (Pair<String, Parameter> p : teacher.getParameters()) {
        assertThat(changed(p.getValue(), before)).as("teacher %s", p.getKey()).isFalse();
        assertThat(p.getValue().getArray().hasGradient()).isFalse();
      }
    }
  }

  @Test
  void queriesAreClsAndOrdinaryTokensNeverSeparatorsOrPadding() {
    int pad = vocabulary.padId();
    int sep = vocabulary.sepId();
    DistillationQueries queries =
        new DistillationQueries(0.5f, Set.of(vocabulary.clsId(), sep, pad));
    Random random = new Random(5);
    int ordinary = 0;
    int chosen = 0;
    for (int n = 0; n < 300; n++) {
      int[] block = block(random, 1 + random.nextInt(LENGTH - 2));

      int[] positions = queries.choose(block, random);

      assertThat(positions[0]).isZero();
      assertThat(positions).doesNotHaveDuplicates().isSorted();
      for (int i = 1; i < positions.length; i++) {
        assertThat(block[positions[i]]).isNotIn(pad, sep, vocabulary.clsId());
      }
      for (int t = 1; t < block.length; t++) {
        ordinary += block[t] == pad || block[t] == sep ? 0 : 1;
      }
      chosen += positions.length - 1;
    }
    assertThat(chosen / (double) ordinary).isBetween(0.45, 0.55);
  }

  @Test
  void queryRateZeroComparesOnlyCls() {
    DistillationQueries queries = new DistillationQueries(0f, Set.of());

    assertThat(queries.choose(block(new Random(1), 9), new Random(2))).containsExactly(0);
  }

  private DistillationObjective objective(NDManager manager, String studentStack)
      throws IOException {
    return new DistillationObjective(
        load(manager, studentStack), load(manager, BERT), new ParameterStore(manager, false));
  }

  private NarrowBertModel load(NDManager manager, String stack) throws IOException {
    return weights.load(manager, stack);
  }

  /** Blocks of unequal content length: [CLS], words, [SEP] between two sentences, then [PAD]. */
  private DistillationBatch batch(NDManager manager, int size, float rate) {
    return weights.batch(manager, size, LENGTH, rate);
  }

  private int[] block(Random random, int content) {
    return weights.block(random, content, LENGTH);
  }

  private static Map<Parameter, float[]> snapshot(NarrowBertModel... models) {
    Map<Parameter, float[]> values = new IdentityHashMap<>();
    for (NarrowBertModel model : models) {
      for (Pair<String, Parameter> p : model.getParameters()) {
        values.put(p.getValue(), p.getValue().getArray().toFloatArray());
      }
    }
    return values;
  }

  private static boolean changed(Parameter parameter, Map<Parameter, float[]> before) {
    NDArray array = parameter.getArray();
    return !java.util.Arrays.equals(array.toFloatArray(), before.get(parameter));
  }
}
