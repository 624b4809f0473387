package dev.narrowbert.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one way the {@code narrowbert} commands, the demo, the benchmarks and the soak write JSON to
 * their output: fields in the order they are put, as one line, written by Jackson.
 *
 * <p>Scripts and CI read these lines (the demo's last line must start with {@code
 * {"produced":57,"analyzed":50,...}), so {@link #putFixed} keeps a figure's decimals as {@code
 * String.format("%.Nf")} wrote them before: a fixed number of digits, never an exponent.
 *
 * <pre>{@code
 * System.out.println(new JsonLine().put("produced", 57).putFixed("rate", 12.345, 1));
 * // {"produced":57,"rate":12.3}
 * }</pre>
 */
public final class JsonLine {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  private final Map<String, Object> fields = new LinkedHashMap<>();

  /** Puts a string, number, boolean, {@code null}, list, map or Jackson tree under {@code key}. */
  public JsonLine put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  /**
   * Puts {@code value} with exactly {@code decimals} digits after the point, rounded half up as
   * {@code %.Nf} rounds; a value that is not finite is put as it is.
   */
  public JsonLine putFixed(String key, double value, int decimals) {
    if (!Double.isFinite(value)) {
      return put(key, value);
    }
    return put(key, new BigDecimal(String.format(Locale.ROOT, "%." + decimals + "f", value)));
  }

  /** {@link #putFixed} for a value that may be missing: {@code null} is written as null. */
  public JsonLine putFixed(String key, Double value, int decimals) {
    return value == null ? put(key, null) : putFixed(key, value.doubleValue(), decimals);
  }

  /** The fields as one JSON line, without a line end. */
  @Override
  public String toString() {
    return of(fields);
  }

  /** An empty Jackson tree, for output built as nested objects (benchmark and soak results). */
  public static ObjectNode tree() {
    return MAPPER.createObjectNode();
  }

  /** Any value Jackson can write (a tree, a map, a record) as one JSON line. */
  public static String of(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
