package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.TinyModelDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TrainingOrder} names exactly the examples that a real {@link FineTuningLoop} run trains
 * on, so that the training reviews a run never drew can be scored afterwards as fresh validation
 * data.
 */
class TrainingOrderTest {
  private static final int BATCH = 4;
  private static final long SEED = 11;

  @TempDir Path temp;

  @Test
  void drawnExamplesAreTheOnesAJointRunTrainsOnAcrossPasses() throws IOException {
    // Two tasks of different sizes: 10 and 6 batches a pass, so 15 steps cross a pass of each.
    RecordingTask first = new RecordingTask("first", i -> 3 + (i * 7) % 11);
    RecordingTask second = new RecordingTask("second", i -> 2 + (i * 5) % 13);
    List<Integer> firstTrain = IntStream.range(0, 37).boxed().toList();
    List<Integer> secondTrain = IntStream.range(100, 123).boxed().toList();
    long steps = 15;

    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory model =
          ModelDirectory.load(TinyModelDirectory.create(temp.resolve("model")), manager);
      Parameter weights = model.model().getParameters().get(0).getValue();
      first.trained = weights;
      Files.createDirectories(temp.resolve("out"));
      second.trained = weights;
      new FineTuningLoop(
              model.model(),
              model.vocabulary(),
              List.of(
                  FineTuningObjective.of(first, firstTrain, List.of(0)),
                  FineTuningObjective.of(second, secondTrain, List.of(100))),
              new FineTuningSettings(2, BATCH, 1e-3f, 0.01f, 1f, SEED, 0, 5, steps),
              temp.resolve("out"),
              new PrintStream(OutputStream.nullOutputStream()))
          .run(manager);
    }

    List<Integer> firstDrawn = TrainingOrder.drawn(firstTrain, first.tokens, 0, SEED, BATCH, steps);
    List<Integer> secondDrawn =
        TrainingOrder.drawn(secondTrain, second.tokens, 1, SEED, BATCH, steps);
    assertThat(firstDrawn).isEqualTo(first.seen).hasSizeGreaterThan(37);
    assertThat(secondDrawn).isEqualTo(second.seen);
    // 15 steps: all 37 of the first task's examples once (10 batches), then 5 batches of pass 1.
    assertThat(new HashSet<>(firstDrawn)).hasSize(37);
    assertThat(new HashSet<>(TrainingOrder.drawn(firstTrain, first.tokens, 0, SEED, BATCH, 5)))
        .hasSizeBetween(5 * BATCH - 3, 5 * BATCH)
        .isNotEqualTo(
            new HashSet<>(TrainingOrder.drawn(firstTrain, first.tokens, 0, SEED + 1, BATCH, 5)));
  }

  @Test
  void batchesOfAPassHoldSimilarLengthsAndEveryExampleOnce() {
    ToIntFunction<Integer> length = i -> (i * 37) % 101;
    List<Integer> train = IntStream.range(0, 1000).boxed().toList();
    List<List<Integer>> pass = TrainingOrder.pass(train, length, 0, SEED, 4, 0);
    assertThat(pass.stream().flatMap(List::stream).sorted().toList()).isEqualTo(train);
    for (List<Integer> batch : pass) {
      IntStream.range(1, batch.size())
          .forEach(
              i ->
                  assertThat(length.applyAsInt(batch.get(i)))
                      .isGreaterThanOrEqualTo(length.applyAsInt(batch.get(i - 1))));
    }
  }

  /** A task that records each batch it is asked to train on; its loss is real but arbitrary. */
  private static final class RecordingTask implements FineTuningTask<Integer> {
    final String name;
    final ToIntFunction<Integer> tokens;
    final List<Integer> seen = new ArrayList<>();
    Parameter trained;

    RecordingTask(String name, ToIntFunction<Integer> tokens) {
      this.name = name;
      this.tokens = tokens;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String metricName() {
      return "score";
    }

    @Override
    public int tokens(Integer example) {
      return tokens.applyAsInt(example);
    }

    @Override
    public NDArray loss(NDManager scope, List<Integer> batch) {
      seen.addAll(batch);
      NDArray weights = trained.getArray();
      return weights.square().sum().mul(1e-3f * batch.size());
    }

    @Override
    public double validate(NDManager manager, List<Integer> examples) {
      return 0.5;
    }

    @Override
    public boolean trains(Parameter parameter) {
      return parameter == trained;
    }
  }
}
