package dev.narrowbert.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Streams reviews from a JSON-lines file (one object per line: {@code text}, optional {@code label}
 * 0/1 or null, optional {@code review_id} or {@code id}), the format of the IMDB files in {@code
 * shared/data/imdb} and of the job's input topic. Lines are parsed as JSON (some reviews contain
 * TABs), blank lines are ignored, anything else unusable is counted in the {@link BadLineReport}.
 */
public final class ReviewJsonLines {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReviewJsonLines() {}

  /**
   * Calls {@code sink} for every usable review, in file order, reading one line at a time.
   *
   * @return the bad lines seen
   * @throws IOException if the file cannot be read or is mostly bad
   */
  public static BadLineReport read(Path file, Consumer<Review> sink) throws IOException {
    return LineRecords.read(file, ReviewJsonLines::parseLine, sink);
  }

  private static Review parseLine(String line) {
    try {
      return parse(JSON.readTree(line));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON", e);
    }
  }

  private static Review parse(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode text = node.get("text");
    if (text == null || !text.isTextual()) {
      throw new IllegalArgumentException("no string field 'text'");
    }
    JsonNode label = node.get("label");
    Integer parsedLabel = null;
    if (label != null && !label.isNull()) {
      if (!label.isIntegralNumber() || (label.asInt() != 0 && label.asInt() != 1)) {
        throw new IllegalArgumentException("label must be 0, 1 or null, was " + label);
      }
      parsedLabel = label.asInt();
    }
    JsonNode id = node.has("review_id") ? node.get("review_id") : node.get("id");
    String parsedId = id == null || id.isNull() ? null : id.asText();
    return new Review(parsedId, LineBreaks.toSpaces(text.asText()), parsedLabel);
  }
}
