package dev.narrowbert.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One training step with all three heads reaches every parameter. Narrow attention K/V weights get
 * gradient only through the query positions, which is enough.
 */
class GradientFlowTest {

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void everyParameterReceivesGradient(boolean fused) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel model =
          TinyModels.model(manager, TinyModels.config("sf:sfsf").withFusedKeyValue(fused), 3);
      ParameterStore ps = new ParameterStore(manager, false);
      ModelInputs inputs = TinyModels.fullBatch(manager, 4);
      QueryPositions queries =
          QueryPositions.of(
              manager,
              List.of(
                  new int[] {0, 2},
                  new int[] {0, 1},
                  new int[] {0, 3, 5},
                  new int[] {0},
                  new int[] {0, 6}));

      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray x = model.encode(ps, inputs, queries, true).queryStates(); // (B, M, d)
        NDArray mlm = model.mlmHead().forward(ps, new NDList(x), true).head();
        NDArray sentiment =
            model.sentimentHead().forward(ps, new NDList(x.get(":, 0, :")), true).head();
        NDArray tags = model.entityHead().forward(ps, new NDList(x), true).head();
        NDArray loss =
            MaskedCrossEntropy.loss(mlm, manager.ones(queries.mask().getShape()), queries.mask())
                .add(
                    MaskedCrossEntropy.loss(
                        sentiment, manager.ones(new ai.djl.ndarray.types.Shape(5)), null))
                .add(
                    MaskedCrossEntropy.loss(
                        tags, manager.ones(queries.mask().getShape()), queries.mask()));
        collector.backward(loss);
      }

      List<String> withoutGradient = new ArrayList<>();
      for (Pair<String, Parameter> p : model.getParameters()) {
        NDArray gradient = p.getValue().getArray().getGradient();
        if (gradient.abs().sum().getFloat() == 0f) {
          withoutGradient.add(p.getKey());
        }
      }
      assertThat(withoutGradient).isEmpty();
    }
  }

  @Test
  void lossIgnoresMaskedPositions() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logits = manager.create(new float[] {0f, 0f, 100f, 0f}).reshape(1, 2, 2);
      NDArray labels = manager.create(new long[] {0, 1}).reshape(1, 2);

      float counted =
          MaskedCrossEntropy.loss(logits, labels, manager.create(new float[] {1, 1}).reshape(1, 2))
              .getFloat();
      float masked =
          MaskedCrossEntropy.loss(logits, labels, manager.create(new float[] {1, 0}).reshape(1, 2))
              .getFloat();

      assertThat(masked).isCloseTo((float) Math.log(2), org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(counted).isGreaterThan(masked);
    }
  }
}
