package dev.narrowbert.training;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.narrowbert.model.NarrowBertModel;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Which part of a {@link NarrowBertModel} a parameter belongs to: a head, the entity gate, or the
 * encoder (embeddings and the sublayer stack). The model's named child blocks are asked for their
 * parameters, which are the very {@link Parameter} objects that the model's {@code getParameters()}
 * lists under DJL's numbered names ({@code 04sentiment_01pooler_weight}); so no name is parsed, and
 * the checkpoint names stay as DJL makes them.
 */
public final class ModelParts {

  /** A part that training treats apart from the encoder. */
  public enum Part {
    MLM_HEAD,
    SENTIMENT_HEAD,
    ENTITY_HEAD,
    ENTITY_GATE
  }

  private final Map<Parameter, Part> parts = new IdentityHashMap<>();

  private ModelParts(NarrowBertModel model) {
    add(model.mlmHead(), Part.MLM_HEAD);
    add(model.sentimentHead(), Part.SENTIMENT_HEAD);
    add(model.entityHead(), Part.ENTITY_HEAD);
    if (model.entityGate() != null) {
      add(model.entityGate(), Part.ENTITY_GATE);
    }
  }

  /** The parts of {@code model}'s parameters. */
  public static ModelParts of(NarrowBertModel model) {
    return new ModelParts(model);
  }

  private void add(Block block, Part part) {
    for (Pair<String, Parameter> p : block.getParameters()) {
      parts.put(p.getValue(), part);
    }
  }

  /**
   * True if {@code parameter} belongs to the embeddings or the sublayer stack, not to a head or the
   * entity gate: what every training objective trains besides its own head.
   */
  public boolean isEncoder(Parameter parameter) {
    return !parts.containsKey(parameter);
  }

  /** True if {@code parameter} belongs to {@code part}. */
  public boolean belongsTo(Parameter parameter, Part part) {
    return parts.get(parameter) == part;
  }
}
