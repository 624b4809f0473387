package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.model.NarrowBertModel;
import org.junit.jupiter.api.Test;

class ModelPartsTest {

  @Test
  void findsEachHeadsParametersUnderDjlsNumberedNames() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel model = new NarrowBertModel(TinyModelDirectory.config().withVocab(53, "x"));
      model.initializeWeights(manager, 1);
      ModelParts parts = ModelParts.of(model);
      int sentiment = 0;
      int entities = 0;
      int mlm = 0;
      for (Pair<String, Parameter> p : model.getParameters()) {
        sentiment += parts.belongsTo(p.getValue(), ModelParts.Part.SENTIMENT_HEAD) ? 1 : 0;
        entities += parts.belongsTo(p.getValue(), ModelParts.Part.ENTITY_HEAD) ? 1 : 0;
        mlm += parts.belongsTo(p.getValue(), ModelParts.Part.MLM_HEAD) ? 1 : 0;
      }

      assertThat(sentiment).isEqualTo(4); // pooler and classifier weight + bias
      assertThat(entities).isEqualTo(2); // classifier weight + bias
      assertThat(mlm).isEqualTo(5); // transform weight + bias, LayerNorm gamma + beta, bias
    }
  }
}
