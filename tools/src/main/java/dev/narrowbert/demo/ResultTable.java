package dev.narrowbert.demo;

import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.Entity;
import dev.narrowbert.schema.Review;
import dev.narrowbert.schema.ReviewAnalysis;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints demo results as a table a person can read. */
final class ResultTable {
  private static final int SNIPPET = 48;

  private final PrintWriter out;

  ResultTable(PrintWriter out) {
    this.out = out;
  }

  void print(
      List<Review> sent, List<ReviewAnalysis> results, List<DeadLetter> deadLetters, int show) {
    Map<String, ReviewAnalysis> byId = Demo.byId(results);
    out.printf("%-11s %-16s %-50s %s%n", "review", "sentiment", "text", "entities");
    for (Review review : sent.subList(0, Math.min(show, sent.size()))) {
      ReviewAnalysis analysis = byId.get(review.getReviewId());
      if (analysis == null) {
        continue;
      }
      out.printf(
          "%-11s %-16s %-50s %s%n",
          review.getReviewId(),
          String.format(
              java.util.Locale.ROOT,
              "%s %.2f",
              analysis.getSentiment().getLabel(),
              analysis.getSentiment().getProbability()),
          snippet(review.getText()),
          entities(analysis.getEntities()));
    }
    out.printf(
        "%n%d of %d reviews analysed; %d malformed events dead-lettered:%n",
        results.size(), sent.size(), deadLetters.size());
    for (DeadLetter letter : deadLetters) {
      out.printf("  %-14s %s%n", letter.getErrorType(), snippet(letter.getReason()));
    }
  }

  private static String snippet(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= SNIPPET ? flat : flat.substring(0, SNIPPET - 3) + "...";
  }

  private static String entities(List<Entity> entities) {
    return entities.isEmpty()
        ? "-"
        : entities.stream()
            .map(e -> e.getText() + "/" + e.getType())
            .collect(Collectors.joining(", "));
  }
}
