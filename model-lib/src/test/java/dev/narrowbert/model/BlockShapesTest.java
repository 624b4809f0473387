package dev.narrowbert.model;

import static dev.narrowbert.model.TinyModels.BATCH;
import static dev.narrowbert.model.TinyModels.HIDDEN;
import static dev.narrowbert.model.TinyModels.LENGTH;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every block and head produces the documented shape for the odd tiny config. */
class BlockShapesTest {

  private NDManager manager;
  private ParameterStore ps;
  private NarrowBertModel model;
  private ModelInputs inputs;
  private QueryPositions queries;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
    ps = new ParameterStore(manager, false);
    model = TinyModels.model(manager, TinyModels.config("sf:sfsf"), 1);
    inputs = TinyModels.fullBatch(manager, 2);
    queries =
        QueryPositions.of(
            manager,
            List.of(
                new int[] {0, 1},
                new int[] {0},
                new int[] {0, 2, 3},
                new int[] {0},
                new int[] {4}));
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void encoderReturnsFullLengthContextAndPackedQueryStates() {
    EncoderOutput out = model.encode(ps, inputs, queries, false);

    assertThat(out.contextStates().getShape()).isEqualTo(new Shape(BATCH, LENGTH, HIDDEN));
    assertThat(out.queryStates().getShape()).isEqualTo(new Shape(BATCH, 3, HIDDEN));
    assertThat(queries.mask().sum().getFloat()).isEqualTo(8f);
  }

  @Test
  void sublayersKeepTheQueryShape() {
    NarrowBertConfig config = TinyModels.config("sf");
    AttentionSublayer attention = new AttentionSublayer(config);
    FeedForward feedForward = new FeedForward(config);
    Shape states = new Shape(1, 1, HIDDEN);
    attention.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, states, states);
    feedForward.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, states);
    NDArray x = manager.randomNormal(new Shape(BATCH, 2, HIDDEN));
    NDArray h = manager.randomNormal(new Shape(BATCH, LENGTH, HIDDEN));
    NDArray mask = manager.zeros(new Shape(BATCH, 1, 1, LENGTH));

    NDArray attended = attention.forward(ps, new NDList(x, h, mask), false).head();
    NDArray fed = feedForward.forward(ps, new NDList(x), false).head();

    assertThat(attended.getShape()).isEqualTo(new Shape(BATCH, 2, HIDDEN));
    assertThat(fed.getShape()).isEqualTo(new Shape(BATCH, 2, HIDDEN));
    assertThat(attention.getOutputShapes(new Shape[] {x.getShape(), h.getShape()}))
        .containsExactly(x.getShape());
  }

  @Test
  void headsProduceLogitsPerQueryOrPerExample() {
    NDArray x = model.encode(ps, inputs, queries, false).queryStates();
    NDArray cls = x.get(":, 0, :");

    NDArray mlm = model.mlmHead().forward(ps, new NDList(x), false).head();
    NDArray sentiment = model.sentimentHead().forward(ps, new NDList(cls), false).head();
    NDArray entities = model.entityHead().forward(ps, new NDList(x), false).head();

    assertThat(mlm.getShape()).isEqualTo(new Shape(BATCH, 3, TinyModels.VOCAB));
    assertThat(sentiment.getShape()).isEqualTo(new Shape(BATCH, 2));
    assertThat(entities.getShape()).isEqualTo(new Shape(BATCH, 3, 9));
  }

  @Test
  void geluIsTheExactErfForm() {
    float gelu = Activation.gelu(manager.create(new float[] {1f})).getFloat(0);

    assertThat(gelu).isCloseTo(0.8413447f, org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void paddingDoesNotChangeAnExamplesOutputs() {
    ModelInputs alone = TinyModels.inputs(manager, new int[] {4}, 5);
    ModelInputs padded = TinyModels.inputs(manager, new int[] {4, LENGTH, 2}, 5);
    // Same random stream: example 0 of both batches has the same 4 ids.
    QueryPositions all = QueryPositions.all(manager, 1, 4);
    QueryPositions firstFour =
        QueryPositions.of(manager, List.of(new int[] {0, 1, 2, 3}, new int[] {0}, new int[] {0}));

    NDArray expected = model.encode(ps, alone, all, false).queryStates();
    NDArray actual = model.encode(ps, padded, firstFour, false).queryStates().get("0:1, :, :");

    assertThat(TinyModels.maxAbsDifference(actual, expected)).isLessThan(1e-5f);
  }

  @Test
  void gathersQueryPositionsPerExample() {
    NDArray states = manager.arange(0f, BATCH * LENGTH * 2f).reshape(BATCH, LENGTH, 2);

    NDArray gathered = queries.gather(states);

    // Example 2 asked for positions 0, 2, 3: rows 14, 16 and 17 of the flattened states.
    assertThat(gathered.get("2, :, 0").toFloatArray()).containsExactly(28f, 32f, 34f);
  }
}
