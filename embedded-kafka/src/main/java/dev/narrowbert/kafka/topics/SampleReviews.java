package dev.narrowbert.kafka.topics;

import dev.narrowbert.schema.Review;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reviews for the demo and benchmarks: the project's own hand-written samples (shipped as a
 * resource), or the reviews of a JSON-lines file, repeated to the number asked for.
 */
public final class SampleReviews {
  private static final String RESOURCE = "/dev/narrowbert/kafka/topics/sample-reviews.jsonl";

  private SampleReviews() {}

  /**
   * {@code count} reviews from {@code file} (or the samples when null), cycling if it has fewer.
   */
  public static List<Review> load(Path file, int count) throws IOException {
    List<Review> distinct = new ArrayList<>();
    try (BufferedReader lines =
        file == null
            ? new BufferedReader(
                new InputStreamReader(
                    SampleReviews.class.getResourceAsStream(RESOURCE), StandardCharsets.UTF_8))
            : Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      ReviewFile reviews = new ReviewFile(file == null ? "sample-reviews.jsonl" : file.toString());
      reviews.read(
          lines,
          review -> {
            if (distinct.size() < count) {
              distinct.add(review);
            }
          });
    }
    if (distinct.isEmpty()) {
      throw new IllegalArgumentException("no reviews in " + (file == null ? RESOURCE : file));
    }
    List<Review> cycled = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      cycled.add(distinct.get(i % distinct.size()));
    }
    return cycled;
  }
}
