package dev.narrowbert.training;

import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.CorpusDocuments;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One document (review) per block, tokenised as the sentiment head sees it at run time: {@link
 * ReviewTokenizer} ([CLS], the review's word pieces truncated to the block length as the model's
 * truncation says, [SEP]; HTML line breaks blanked out), padded with [PAD] to the block length, so
 * that [CLS] at position 0 reads the review from its beginning and no block mixes two documents.
 * Padding is masked out of attention by the batch ({@link DistillationBatch}). The last {@code
 * heldOut} documents are kept for the held-out evaluation and never trained on.
 */
public final class ReviewBlocks implements TrainingBlocks {

  private final List<int[]> documents;
  private final int length;
  private final int pad;
  private final int trainingBlocks;
  private final int heldOutBlocks;

  /**
   * @param documents encodings' ids, each [CLS] ... [SEP] of at most {@code length} tokens
   * @param length L, the tokens of every block including padding
   * @param heldOut documents reserved for evaluation (fewer if the corpus is tiny)
   */
  public ReviewBlocks(List<int[]> documents, int length, int pad, int heldOut) {
    if (documents.size() < 2) {
      throw new IllegalArgumentException(
          "corpus has " + documents.size() + " documents, too few for two blocks");
    }
    for (int[] document : documents) {
      if (document.length > length) {
        throw new IllegalArgumentException(
            "a document has " + document.length + " tokens, more than the block length " + length);
      }
    }
    this.documents = List.copyOf(documents);
    this.length = length;
    this.pad = pad;
    this.heldOutBlocks = Math.min(heldOut, documents.size() / 2);
    this.trainingBlocks = documents.size() - heldOutBlocks;
  }

  /**
   * Tokenises every document of {@code files} whose text is not in {@code excluded}, in file order.
   *
   * @param tokenizer truncates to the block length (its maximum length)
   * @param reports receives each file's bad-line report
   */
  public static ReviewBlocks read(
      List<Path> files,
      Set<String> excluded,
      ReviewTokenizer tokenizer,
      int pad,
      int heldOut,
      Consumer<BadLineReport> reports)
      throws IOException {
    List<String> texts = new ArrayList<>();
    for (Path file : files) {
      reports.accept(
          CorpusDocuments.read(
              file,
              text -> {
                if (!excluded.contains(text.strip())) {
                  texts.add(text);
                }
              }));
    }
    List<int[]> documents = texts.parallelStream().map(t -> tokenizer.encode(t).ids()).toList();
    return new ReviewBlocks(documents, tokenizer.maxLength(), pad, heldOut);
  }

  public int length() {
    return length;
  }

  @Override
  public int trainingBlocks() {
    return trainingBlocks;
  }

  @Override
  public int heldOutBlocks() {
    return heldOutBlocks;
  }

  @Override
  public int[] block(int index) {
    int[] document = documents.get(index);
    int[] ids = Arrays.copyOf(document, length);
    Arrays.fill(ids, document.length, length, pad);
    return ids;
  }
}
