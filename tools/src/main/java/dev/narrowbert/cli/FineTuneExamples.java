package dev.narrowbert.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.narrowbert.checkpoint.Sha256;
import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.ConllColumns;
import dev.narrowbert.data.ConllSentence;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.tasks.DocumentContext;
import dev.narrowbert.tasks.SentimentExample;
import dev.narrowbert.tasks.TaggedSentence;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The labelled examples that {@code narrowbert finetune} trains and validates on: reviews from JSON
 * lines, sentences from CoNLL columns (with their document context, if any), tokenized for the
 * start model, with what was skipped reported on stderr, and a seeded {@code --valid-fraction}
 * split where no validation file is given.
 */
final class FineTuneExamples {
  private final WordPieceTokenizer tokenizer;
  private final PrintStream err;
  private final long splitSeed;
  private final Double validFraction;

  FineTuneExamples(
      WordPieceTokenizer tokenizer, PrintStream err, long splitSeed, Double validFraction) {
    this.tokenizer = tokenizer;
    this.err = err;
    this.splitSeed = splitSeed;
    this.validFraction = validFraction;
  }

  /**
   * Training and validation examples, and which of the training file's examples were held out.
   *
   * @param heldOut where {@code valid} was split off the training file, the first 12 hex digits of
   *     the SHA-256 of the held-out examples' positions in that file (equal for two runs exactly
   *     when they hold out the same examples of the same file); null where a validation file was
   *     given
   */
  record Split<E>(List<E> train, List<E> valid, String heldOut) {}

  /** {@code examples} and {@code validExamples}, or a seeded --valid-fraction split. */
  <E> Split<E> split(List<E> examples, List<E> validExamples) {
    if (validExamples != null) {
      return new Split<>(examples, validExamples, null);
    }
    return holdOut(examples, splitSeed, validFraction);
  }

  /**
   * The seeded split of {@code --valid-fraction}: a shuffle of the examples' positions with {@code
   * seed}, the first {@code fraction} of them held out (as {@code eval --valid-fraction} also reads
   * it).
   */
  static <E> Split<E> holdOut(List<E> examples, long seed, double fraction) {
    List<Integer> order = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    int held = (int) Math.round(order.size() * fraction);
    List<Integer> heldOut = order.subList(0, held);
    List<E> train = order.subList(held, order.size()).stream().map(examples::get).toList();
    List<E> valid = heldOut.stream().map(examples::get).toList();
    return new Split<>(train, valid, fingerprint(heldOut));
  }

  /**
   * The first 12 hex digits of the SHA-256 of {@code positions}, sorted: equal sets, equal prints.
   */
  static String fingerprint(List<Integer> positions) {
    StringBuilder sorted = new StringBuilder();
    positions.stream().sorted().forEach(i -> sorted.append(i).append('\n'));
    return Sha256.of(sorted.toString().getBytes(UTF_8)).substring(0, 12);
  }

  List<SentimentExample> reviews(Path file) throws IOException {
    List<SentimentExample> examples = new ArrayList<>();
    long[] unlabelled = new long[1];
    BadLineReport report =
        ReviewJsonLines.read(
            file,
            review -> {
              if (review.label() == null) {
                unlabelled[0]++;
              } else {
                examples.add(new SentimentExample(tokenizer.encode(review.text()), review.label()));
              }
            });
    reportProblems(report);
    if (unlabelled[0] > 0) {
      err.printf("%s: %d reviews without a label skipped%n", file, unlabelled[0]);
    }
    if (examples.isEmpty()) {
      throw new IOException(file + " has no labelled reviews");
    }
    return examples;
  }

  /** The sentences of {@code file}, each read with {@code context} from its own document. */
  List<TaggedSentence> sentences(Path file, DocumentContext context) throws IOException {
    List<ConllSentence> sentences = new ArrayList<>();
    BadLineReport report = ConllColumns.read(file, sentences::add);
    reportProblems(report);
    if (sentences.isEmpty()) {
      throw new IOException(file + " has no sentences");
    }
    return context.tag(sentences);
  }

  private void reportProblems(BadLineReport report) {
    if (report.badLines() > 0) {
      err.println(report.summary());
    }
  }
}
