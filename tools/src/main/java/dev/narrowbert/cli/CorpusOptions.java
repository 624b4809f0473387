package dev.narrowbert.cli;

import dev.narrowbert.data.CorpusDocuments;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import dev.narrowbert.training.PackedBlocks;
import dev.narrowbert.training.ReviewBlocks;
import dev.narrowbert.training.TokenizedCorpus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --corpus FILE... [--exclude FILE...]} of the commands that train on blocks of text ({@code
 * pretrain}, {@code distill}; a picocli mixin), and the one way they turn them into {@link
 * PackedBlocks} (tokenised once into the run directory's cache, then cut into blocks) or {@link
 * ReviewBlocks} (one review per block).
 */
public final class CorpusOptions {

  private static final String CACHE = "corpus.tokens";

  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  @Option(
      names = "--corpus",
      required = true,
      arity = "1..*",
      paramLabel = "FILE",
      description = "Review JSON lines (*.jsonl) or plain text, one document per line.")
  private List<Path> corpus;

  @Option(
      names = "--exclude",
      arity = "1..*",
      paramLabel = "FILE",
      description = "Review JSON lines whose texts are dropped from the corpus (e.g. test sets).")
  private List<Path> exclude = List.of();

  /** Refuses, as a usage error, a corpus file that does not exist. */
  void check() {
    for (Path file : corpus) {
      if (!Files.isRegularFile(file)) {
        throw new ParameterException(spec.commandLine(), "--corpus " + file + " is not a file");
      }
    }
  }

  /**
   * The corpus as blocks of {@code length} tokens, the last {@code heldOut} kept for evaluation.
   *
   * @param out the run directory, which keeps the tokenised corpus for the next run or resume
   */
  PackedBlocks blocks(
      Path out, WordPieceVocabulary vocabulary, int length, int heldOut, PrintStream err)
      throws IOException {
    int[] ids =
        TokenizedCorpus.cached(out.resolve(CACHE), corpus, exclude, vocabulary, err::println).ids();
    return new PackedBlocks(ids, length, vocabulary.clsId(), vocabulary.sepId(), heldOut);
  }

  /**
   * The corpus as one review per block, tokenised by {@code tokenizer} (whose maximum length is the
   * block length), the last {@code heldOut} kept for evaluation.
   */
  ReviewBlocks reviews(ReviewTokenizer tokenizer, int pad, int heldOut, PrintStream err)
      throws IOException {
    Set<String> excluded = new HashSet<>();
    for (Path file : exclude) {
      CorpusDocuments.read(file, text -> excluded.add(text.strip()));
    }
    ReviewBlocks blocks =
        ReviewBlocks.read(
            corpus,
            excluded,
            tokenizer,
            pad,
            heldOut,
            report -> {
              if (report.badLines() > 0) {
                err.println(report.summary());
              }
            });
    err.printf(
        java.util.Locale.ROOT,
        "corpus: %d reviews, one block each%n",
        blocks.trainingBlocks() + blocks.heldOutBlocks());
    return blocks;
  }
}
