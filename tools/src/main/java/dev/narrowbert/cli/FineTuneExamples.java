package dev.narrowbert.cli;

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
  private final long seed;
  private final Double validFraction;

  FineTuneExamples(WordPieceTokenizer tokenizer, PrintStream err, long seed, Double validFraction) {
    this.tokenizer = tokenizer;
    this.err = err;
    this.seed = seed;
    this.validFraction = validFraction;
  }

  /**
   * [train, valid]: {@code examples} and {@code validExamples}, or a seeded --valid-fraction split.
   */
  <E> List<List<E>> split(List<E> examples, List<E> validExamples) {
    if (validExamples != null) {
      return List.of(examples, validExamples);
    }
    List<E> shuffled = new ArrayList<>(examples);
    Collections.shuffle(shuffled, new Random(seed));
    int held = (int) Math.round(shuffled.size() * validFraction);
    return List.of(shuffled.subList(held, shuffled.size()), shuffled.subList(0, held));
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
