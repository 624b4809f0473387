package dev.narrowbert.kafka.topics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.schema.Review;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads reviews from JSON lines, one review per line: {@code text} (required), {@code review_id} or
 * {@code id}, {@code source}, {@code product_id}, {@code rating}, {@code language}. A bad line is
 * reported with its number and skipped, never silently dropped; a file that is mostly bad stops
 * with an error.
 */
public final class ReviewFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A line that could not be read as a review. */
  public record BadLine(long number, String reason) {
    @Override
    public String toString() {
      return "line " + number + ": " + reason;
    }
  }

  private final String name;
  private final List<BadLine> badLines = new ArrayList<>();
  private long reviews;

  public ReviewFile(String name) {
    this.name = name;
  }

  /**
   * Sends every good review to {@code sink}, in file order. Reviews without an id get {@code
   * NAME:LINE}.
   *
   * @throws IllegalArgumentException if more than half of at least 10 lines are bad
   */
  public void read(BufferedReader lines, Consumer<Review> sink) {
    long number = 0;
    try {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        try {
          sink.accept(parse(line, number));
          reviews++;
        } catch (IllegalArgumentException e) {
          badLines.add(new BadLine(number, e.getMessage()));
          if (badLines.size() >= 10 && badLines.size() * 2 > number) {
            throw new IllegalArgumentException(
                name + " is mostly not review JSON lines (" + badLines.get(0) + ")");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  public long reviews() {
    return reviews;
  }

  public List<BadLine> badLines() {
    return List.copyOf(badLines);
  }

  private Review parse(String line, long number) {
    JsonNode json;
    try {
      json = JSON.readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (!json.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode text = json.get("text");
    if (text == null || !text.isTextual() || text.asText().isBlank()) {
      throw new IllegalArgumentException("no \"text\"");
    }
    JsonNode rating = json.get("rating");
    if (rating != null && !rating.isNull() && !rating.canConvertToInt()) {
      throw new IllegalArgumentException("\"rating\" is not a whole number");
    }
    return Review.newBuilder()
        .setReviewId(string(json, "review_id", string(json, "id", name + ":" + number)))
        .setText(text.asText())
        .setSource(string(json, "source", "file"))
        .setProductId(string(json, "product_id", null))
        .setRating(rating == null || rating.isNull() ? null : rating.asInt())
        .setLanguage(string(json, "language", null))
        .setEventTime(Instant.now())
        .build();
  }

  private static String string(JsonNode json, String field, String fallback) {
    JsonNode value = json.get(field);
    return value == null || value.isNull() ? fallback : value.asText();
  }
}
