package dev.narrowbert.model;

import static dev.narrowbert.model.TinyModels.BATCH;
import static dev.narrowbert.model.TinyModels.LENGTH;
import static dev.narrowbert.model.TinyModels.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What narrowing preserves (Li et al., 2023). With the same weights:
 *
 * <ul>
 *   <li>the first narrow sublayers equal the full ones at every query position, because their x is
 *       still H; so {@code sf:sf} equals BERT {@code sfsf} at any query set;
 *   <li>ContextFirst {@code ss:ff} equals {@code ssff} at any query set, because {@code f} is
 *       position-wise;
 *   <li>a deeper SparseQueries stack ({@code sf:sfsf}) differs from BERT (later narrow attentions
 *       still read K/V from H, by design) but each query's output is independent of which other
 *       positions are queries;
 *   <li>fused K/V projection equals the per-sublayer projections.
 * </ul>
 */
class NarrowEncoderParityTest {

  private static final float TOLERANCE = 1e-5f;

  private NDManager manager;
  private ParameterStore ps;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
    ps = new ParameterStore(manager, false);
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private NDArray queryStates(NarrowBertModel model, ModelInputs inputs, QueryPositions queries) {
    return model.encode(ps, inputs, queries, false).queryStates();
  }

  private NarrowBertModel sameWeights(NarrowBertModel source, String stack) {
    NarrowBertModel copy = TinyModels.model(manager, TinyModels.config(stack), 99);
    TinyModels.copyWeights(source, copy, manager);
    return copy;
  }

  private QueryPositions someQueries() {
    return QueryPositions.of(
        manager,
        List.of(
            new int[] {0, 3}, new int[] {2}, new int[] {6, 1, 4}, new int[] {0}, new int[] {5}));
  }

  @Test
  void narrowLayerWithEveryPositionAsQueryEqualsFullLayer() {
    NarrowBertModel narrow = TinyModels.model(manager, TinyModels.config("sf:sf"), 1);
    NarrowBertModel full = sameWeights(narrow, "sfsf");
    ModelInputs inputs = TinyModels.fullBatch(manager, 7);
    QueryPositions all = QueryPositions.all(manager, BATCH, LENGTH);

    NDArray expected = queryStates(full, inputs, all);
    NDArray actual = queryStates(narrow, inputs, all);

    assertThat(actual.getShape()).isEqualTo(expected.getShape());
    assertThat(maxAbsDifference(actual, expected)).isLessThan(TOLERANCE);
  }

  @Test
  void narrowLayerAtQueryPositionsEqualsFullLayerAtThosePositions() {
    NarrowBertModel narrow = TinyModels.model(manager, TinyModels.config("sf:sf"), 2);
    NarrowBertModel full = sameWeights(narrow, "sfsf");
    ModelInputs inputs = TinyModels.fullBatch(manager, 8);
    QueryPositions queries = someQueries();

    NDArray fullAtQueries = queries.gather(full.encode(ps, inputs, queries, false).contextStates());
    NDArray actual = queryStates(narrow, inputs, queries);

    assertThat(maxAbsDifference(actual, fullAtQueries)).isLessThan(TOLERANCE);
  }

  @Test
  void contextFirstEqualsFullStackAtQueryPositions() {
    NarrowBertModel narrow = TinyModels.model(manager, TinyModels.config("ss:ff"), 3);
    NarrowBertModel full = sameWeights(narrow, "ssff");
    ModelInputs inputs = TinyModels.fullBatch(manager, 9);
    QueryPositions queries = someQueries();

    assertThat(
            maxAbsDifference(
                queryStates(narrow, inputs, queries), queryStates(full, inputs, queries)))
        .isLessThan(TOLERANCE);
  }

  @Test
  void deeperSparseQueriesOutputDoesNotDependOnOtherQueries() {
    NarrowBertModel model = TinyModels.model(manager, TinyModels.config("sf:sfsf"), 4);
    NarrowBertModel bert = sameWeights(model, "sfsfsf");
    ModelInputs inputs = TinyModels.fullBatch(manager, 10);
    QueryPositions queries = someQueries();
    QueryPositions all = QueryPositions.all(manager, BATCH, LENGTH);

    NDArray subset = queryStates(model, inputs, queries);
    NDArray allThenGathered = queries.gather(queryStates(model, inputs, all));

    assertThat(maxAbsDifference(subset, allThenGathered)).isLessThan(TOLERANCE);
    assertThat(maxAbsDifference(subset, queryStates(bert, inputs, queries)))
        .isGreaterThan(10 * TOLERANCE);
  }

  @Test
  void fusedKeyValueProjectionEqualsUnfused() {
    NarrowBertConfig unfusedConfig = TinyModels.config("sf:sfsfsf").withFusedKeyValue(false);
    NarrowBertModel unfused = TinyModels.model(manager, unfusedConfig, 5);
    NarrowBertModel fused = TinyModels.model(manager, unfusedConfig.withFusedKeyValue(true), 55);
    TinyModels.copyWeights(unfused, fused, manager);
    ModelInputs inputs = TinyModels.fullBatch(manager, 11);
    QueryPositions queries = someQueries();

    assertThat(
            maxAbsDifference(
                queryStates(fused, inputs, queries), queryStates(unfused, inputs, queries)))
        .isLessThan(TOLERANCE);
  }
}
