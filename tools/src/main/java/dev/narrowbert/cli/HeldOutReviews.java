package dev.narrowbert.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.data.Review;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.output.JsonLine;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The labelled reviews that {@code finetune --valid-fraction F --valid-seed S} holds out of a
 * training file, written to a temporary JSON-lines file so that {@code eval} can score exactly a
 * fine-tuning run's validation reviews. The split is {@link FineTuneExamples#holdOut}, over the
 * same labelled reviews in file order, so the fingerprint equals the one {@code finetune} prints.
 */
final class HeldOutReviews {
  /** The held-out reviews' file (delete it when done), how many, and the split's fingerprint. */
  record Written(Path file, int count, String fingerprint) {}

  private HeldOutReviews() {}

  static Written write(Path trainingFile, double fraction, long seed) throws IOException {
    List<Review> labelled = new ArrayList<>();
    ReviewJsonLines.read(
        trainingFile,
        review -> {
          if (review.label() != null) {
            labelled.add(review);
          }
        });
    if (labelled.isEmpty()) {
      throw new IOException(trainingFile + " has no labelled reviews");
    }
    FineTuneExamples.Split<Review> split = FineTuneExamples.holdOut(labelled, seed, fraction);
    Path file = Files.createTempFile("narrowbert-held-out-", ".jsonl");
    try (BufferedWriter out = Files.newBufferedWriter(file, UTF_8)) {
      for (Review review : split.valid()) {
        ObjectNode line = JsonLine.tree();
        line.put("review_id", review.id());
        line.put("text", review.text());
        line.put("label", review.label());
        out.write(JsonLine.of(line));
        out.newLine();
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    return new Written(file, split.valid().size(), split.heldOut());
  }
}
