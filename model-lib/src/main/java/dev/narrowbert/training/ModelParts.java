package dev.narrowbert.training;

/**
 * Which part of a {@code NarrowBertModel} a parameter belongs to, by its name in {@code
 * getParameters()}. DJL prefixes every child block with its two-digit position ({@code
 * 04sentiment_01pooler_weight}), so the part is the first name segment without those digits.
 */
public final class ModelParts {

  public static final String MLM_HEAD = "mlm";
  public static final String SENTIMENT_HEAD = "sentiment";
  public static final String ENTITY_HEAD = "entities";
  public static final String ENTITY_GATE = "gate";

  private ModelParts() {}

  /**
   * True if {@code parameterName} belongs to the embeddings or the sublayer stack, not to a head or
   * the entity gate: what every training objective trains besides its own head.
   */
  public static boolean isEncoder(String parameterName) {
    return !belongsTo(parameterName, MLM_HEAD)
        && !belongsTo(parameterName, SENTIMENT_HEAD)
        && !belongsTo(parameterName, ENTITY_HEAD)
        && !belongsTo(parameterName, ENTITY_GATE);
  }

  /** True if {@code parameterName} belongs to the top-level child block {@code part}. */
  public static boolean belongsTo(String parameterName, String part) {
    int start = 0;
    while (start < parameterName.length() && Character.isDigit(parameterName.charAt(start))) {
      start++;
    }
    return parameterName.startsWith(part + "_", start);
  }
}
