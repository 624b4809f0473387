package dev.narrowbert.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.data.Review;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import dev.narrowbert.training.TrainingOrder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Reviews of a training file that a fine-tuning run did not train on, written to a temporary
 * JSON-lines file so that {@code eval} can score them: the reviews that {@code finetune
 * --valid-fraction F --valid-seed S} holds out (that run's validation reviews), or the ones it
 * neither held out nor drew in its steps (fresh reviews, never looked at). The split is {@link
 * FineTuneExamples#holdOut} and the draw is {@link TrainingOrder}, over the same labelled reviews
 * in file order, so the held-out fingerprint equals the one {@code finetune} prints.
 */
final class HeldOutReviews {
  /**
   * The reviews' file (delete it when done), how many, and the fingerprint of their positions among
   * the labelled reviews; for unseen reviews also how many distinct reviews the runs drew and how
   * many more were left out as copies of a drawn review's text.
   */
  record Written(Path file, int count, String fingerprint, int drawn, int copies) {}

  /**
   * One fine-tuning run, as far as its draw of reviews goes: finetune's {@code --seed}, {@code
   * --max-steps}, {@code --batch-size} and {@code --max-len}.
   */
  record FineTuningRun(long seed, long steps, int batchSize, int maxLength) {
    static final String FORMAT = "SEED:STEPS:BATCH:MAX_LEN";

    /** {@code 42:800:16:128}. */
    static FineTuningRun parse(String text) {
      String[] parts = text.split(":", -1);
      try {
        if (parts.length == 4) {
          FineTuningRun run =
              new FineTuningRun(
                  Long.parseLong(parts[0]),
                  Long.parseLong(parts[1]),
                  Integer.parseInt(parts[2]),
                  Integer.parseInt(parts[3]));
          if (run.steps >= 1 && run.batchSize >= 1 && run.maxLength >= 2) {
            return run;
          }
        }
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
      throw new IllegalArgumentException(
          "--unseen-by must be "
              + FORMAT
              + " (finetune's --seed, --max-steps >= 1, --batch-size >= 1, --max-len >= 2), was "
              + text);
    }
  }

  private HeldOutReviews() {}

  /** The reviews that {@code finetune --valid-fraction fraction --valid-seed seed} holds out. */
  static Written write(Path trainingFile, double fraction, long seed) throws IOException {
    List<Review> labelled = labelled(trainingFile);
    FineTuneExamples.Split<Integer> split =
        FineTuneExamples.holdOut(positions(labelled), seed, fraction);
    return new Written(
        writeAll(labelled, split.valid()), split.valid().size(), split.heldOut(), 0, 0);
  }

  /**
   * The labelled reviews that none of {@code runs} trained on: neither held out by their split
   * ({@code fraction}, {@code seed}) nor drawn in their steps, nor a copy of a drawn review's text
   * (IMDB repeats some reviews). Every run must have used that split of this file, and sentiment
   * must have been its first task (as in {@code --task sentiment} and {@code --task joint}).
   *
   * @param vocabulary the runs' vocabulary: the batches group reviews by their length in word
   *     pieces
   */
  static Written writeUnseen(
      Path trainingFile,
      double fraction,
      long seed,
      List<FineTuningRun> runs,
      WordPieceVocabulary vocabulary)
      throws IOException {
    List<Review> labelled = labelled(trainingFile);
    FineTuneExamples.Split<Integer> split =
        FineTuneExamples.holdOut(positions(labelled), seed, fraction);
    Map<Integer, int[]> lengths = new HashMap<>();
    Set<Integer> drawn = new HashSet<>();
    for (FineTuningRun run : runs) {
      int[] tokens =
          lengths.computeIfAbsent(
              run.maxLength(),
              length -> {
                WordPieceTokenizer tokenizer = new WordPieceTokenizer(vocabulary, length);
                return labelled.stream()
                    .mapToInt(review -> tokenizer.encode(review.text()).tokenCount())
                    .toArray();
              });
      // Sentiment is task 0 of a finetune run, joint or not.
      drawn.addAll(
          TrainingOrder.drawn(
              split.train(), i -> tokens[i], 0, run.seed(), run.batchSize(), run.steps()));
    }
    Set<String> drawnTexts = new HashSet<>();
    drawn.forEach(i -> drawnTexts.add(labelled.get(i).text()));
    List<Integer> notDrawn =
        split.train().stream().filter(i -> !drawn.contains(i)).sorted().toList();
    List<Integer> unseen =
        notDrawn.stream().filter(i -> !drawnTexts.contains(labelled.get(i).text())).toList();
    return new Written(
        writeAll(labelled, unseen),
        unseen.size(),
        FineTuneExamples.fingerprint(unseen),
        drawn.size(),
        notDrawn.size() - unseen.size());
  }

  private static List<Review> labelled(Path trainingFile) throws IOException {
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
    return labelled;
  }

  private static List<Integer> positions(List<Review> labelled) {
    return IntStream.range(0, labelled.size()).boxed().toList();
  }

  /** {@code reviews[positions]}, in that order, as JSON lines in a new temporary file. */
  private static Path writeAll(List<Review> reviews, List<Integer> positions) throws IOException {
    Path file = Files.createTempFile("narrowbert-held-out-", ".jsonl");
    try (BufferedWriter out = Files.newBufferedWriter(file, UTF_8)) {
      for (int i : positions) {
        Review review = reviews.get(i);
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
    return file;
  }
}
