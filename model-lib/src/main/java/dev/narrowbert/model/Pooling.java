package dev.narrowbert.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a review becomes one embedding vector.
 *
 * <p>{@link #CLS} takes the final hidden state of [CLS], which is a query position, so it has been
 * through every narrow sublayer. {@link #MEAN} averages over all non-padding tokens; because narrow
 * sublayers update query positions only, the mean is taken over H, the full-length states at the
 * {@code :} point (the final states for a stack without {@code :}), never over the narrow output.
 */
public enum Pooling {
  CLS,
  MEAN;

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Pooling fromJson(String name) {
    for (Pooling pooling : values()) {
      if (pooling.jsonName().equals(name)) {
        return pooling;
      }
    }
    throw new IllegalArgumentException("unknown pooling '" + name + "' (expected cls or mean)");
  }
}
