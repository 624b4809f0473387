package dev.narrowbert.pretrained;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.narrowbert.model.EncoderOutput;
import dev.narrowbert.model.ModelInputs;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.QueryPositions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our encoder against a reference BERT's stored outputs on the same weights (nanoGPT's one test): a
 * parity test, not a shape test. The reference ({@link BertReference}) is PyTorch's own
 * post-LayerNorm {@code nn.TransformerEncoderLayer}, checked against {@code modeling_bert.py} by
 * its generator; its config is odd enough (hidden 32 = 4 heads of 8, intermediate 37, sequence 7
 * with padding, batch 13) that a swapped axis or a wrong head split cannot pass.
 *
 * <p>BERT is compared at every token. NarrowBERT (Li et al., ACL 2023, arXiv 2301.04761) is a
 * different function after its first narrow layer, so it is compared only where the math is BERT's:
 * H at the narrowing point, and the first narrow layer's output at its query positions (its queries
 * are still H, and its K/V come from H, exactly as in the full layer).
 */
class BertReferenceParityTest {

  private static final float TOLERANCE = 1e-4f;

  private static BertReference reference;

  private NDManager manager;
  private ParameterStore ps;
  private ModelInputs inputs;

  @BeforeAll
  static void load() {
    reference = BertReference.load();
  }

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
    ps = new ParameterStore(manager, false);
    inputs = reference.inputs(manager);
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void bertMatchesTheReferenceAtEveryToken() throws Exception {
    NarrowBertModel bert = reference.model(manager, "sfsfsf", true);
    QueryPositions cls = QueryPositions.cls(manager, reference.batch);

    NDArray states = bert.encode(ps, inputs, cls, false).contextStates(); // (B, L, d)

    assertMatches(states, reference.hiddenStates(reference.layers), everyToken());
  }

  @Test
  void narrowingPointHoldsTheReferenceStatesAfterTheFullLayers() throws Exception {
    NarrowBertModel narrow = reference.model(manager, "sf:sfsf", true);
    QueryPositions queries = QueryPositions.of(manager, someQueries());

    EncoderOutput out = narrow.encode(ps, inputs, queries, false);

    assertMatches(out.contextStates(), reference.hiddenStates(1), everyToken());
    // After two narrow layers NarrowBERT is no longer BERT: its second narrow attention still
    // reads K/V from the layer-1 states.
    assertThat(largestDifference(out.queryStates(), reference.hiddenStates(3), someQueries()))
        .isGreaterThan(100 * TOLERANCE);
  }

  @ParameterizedTest(name = "fused K/V {0}")
  @ValueSource(booleans = {true, false})
  void firstNarrowLayerMatchesTheReferenceAtItsQueries(boolean fused) throws Exception {
    NarrowBertModel narrow = reference.model(manager, "sfsf:sf", fused);
    QueryPositions queries = QueryPositions.of(manager, someQueries());

    EncoderOutput out = narrow.encode(ps, inputs, queries, false);

    assertMatches(out.contextStates(), reference.hiddenStates(2), everyToken());
    assertMatches(out.queryStates(), reference.hiddenStates(3), someQueries());
  }

  /** Every non-padding position of every example. */
  private List<int[]> everyToken() {
    List<int[]> positions = new ArrayList<>();
    for (int b = 0; b < reference.batch; b++) {
      positions.add(IntStream.range(0, reference.tokens(b)).toArray());
    }
    return positions;
  }

  /** [CLS], the last token and one in the middle, in an order that is not sorted. */
  private List<int[]> someQueries() {
    List<int[]> positions = new ArrayList<>();
    for (int b = 0; b < reference.batch; b++) {
      int n = reference.tokens(b);
      TreeSet<Integer> chosen = new TreeSet<>(List.of(0, n / 2, n - 1));
      positions.add(chosen.descendingSet().stream().mapToInt(Integer::intValue).toArray());
    }
    return positions;
  }

  /**
   * Asserts {@code ours} (B, M, d), row m of example b being position {@code positions[b][m]} (or
   * (B, L, d) in position order), equals the reference (B, L, d) there.
   */
  private void assertMatches(NDArray ours, float[] expected, List<int[]> positions) {
    assertThat(largestDifference(ours, expected, positions))
        .as(describeLargest(ours, expected, positions))
        .isLessThan(TOLERANCE);
  }

  private float largestDifference(NDArray ours, float[] expected, List<int[]> positions) {
    return differences(ours, expected, positions)[0];
  }

  private String describeLargest(NDArray ours, float[] expected, List<int[]> positions) {
    float[] d = differences(ours, expected, positions);
    return String.format(
        Locale.ROOT,
        "largest difference from the reference %.3g at example %d position %d",
        d[0],
        (int) d[1],
        (int) d[2]);
  }

  /** {largest |ours - reference|, its example, its position}. */
  private float[] differences(NDArray ours, float[] expected, List<int[]> positions) {
    int d = reference.hidden;
    long rows = ours.getShape().get(1);
    float[] actual = ours.toFloatArray();
    float[] largest = {0f, -1f, -1f};
    for (int b = 0; b < positions.size(); b++) {
      int[] at = positions.get(b);
      for (int m = 0; m < at.length; m++) {
        for (int i = 0; i < d; i++) {
          float ourValue = actual[(int) ((b * rows + m) * d + i)];
          float theirs = expected[(b * reference.length + at[m]) * d + i];
          float difference = Math.abs(ourValue - theirs);
          if (!Float.isNaN(largest[0]) && !(difference <= largest[0])) { // NaN is the largest
            largest = new float[] {difference, b, at[m]};
          }
        }
      }
    }
    return largest;
  }
}
