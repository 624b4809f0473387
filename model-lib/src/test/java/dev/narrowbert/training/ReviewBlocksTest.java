package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReviewBlocks}: one review per block, as the sentiment head reads it. */
class ReviewBlocksTest {

  private static final int LENGTH = 12;
  private static final List<String> REVIEWS =
      List.of(
          "the movie was great",
          "i hated it<br /><br />boring plot and bad acting , very bad acting , not fun at all",
          "good film",
          "tom hanks loved paris",
          "the end",
          "music by meryl streep was ok");

  @TempDir Path temp;
  private final WordPieceVocabulary vocabulary = TinyModelDirectory.vocabulary();

  /** The tokenizer inference uses, with the block length as the model's length. */
  private final ReviewTokenizer runTime =
      ModelDirectory.tokenizer(TinyModelDirectory.config().withMaxPositions(LENGTH), vocabulary);

  @Test
  void eachBlockIsOneReviewAsInferenceTokenizesItPadded() throws IOException {
    ReviewBlocks blocks = read(REVIEWS, 2);

    List<int[]> all = all(blocks);
    assertThat(all).hasSize(REVIEWS.size());
    for (int i = 0; i < all.size(); i++) {
      int[] block = all.get(i);
      int[] expected = runTime.encode(REVIEWS.get(i)).ids();
      assertThat(block).hasSize(LENGTH);
      assertThat(block[0]).isEqualTo(vocabulary.clsId());
      assertThat(Arrays.copyOf(block, expected.length)).containsExactly(expected);
      for (int t = expected.length; t < LENGTH; t++) {
        assertThat(block[t]).isEqualTo(vocabulary.padId());
      }
      // One [SEP]: the end of this review, never a second document after it.
      assertThat(Arrays.stream(block).filter(id -> id == vocabulary.sepId()).count()).isOne();
      assertThat(block[expected.length - 1]).isEqualTo(vocabulary.sepId());
    }
  }

  @Test
  void aLongReviewKeepsItsBeginning() throws IOException {
    int[] block = read(REVIEWS, 2).trainingBlock(1);

    assertThat(block[1]).isEqualTo(vocabulary.id("i"));
    assertThat(block[LENGTH - 1]).isEqualTo(vocabulary.sepId());
    assertThat(block).doesNotContain(vocabulary.padId());
  }

  @Test
  void theLastReviewsAreHeldOut() throws IOException {
    ReviewBlocks blocks = read(REVIEWS, 2);

    assertThat(blocks.trainingBlocks()).isEqualTo(4);
    assertThat(blocks.heldOutBlocks()).isEqualTo(2);
    assertThat(blocks.heldOutBlock(1)).startsWith(runTime.encode(REVIEWS.get(5)).ids());
    assertThat(read(REVIEWS, 100).heldOutBlocks()).isEqualTo(3);
  }

  @Test
  void excludedTextsAreDropped() throws IOException {
    ReviewBlocks blocks =
        ReviewBlocks.read(
            List.of(corpus(REVIEWS)), Set.of("good film"), runTime, vocabulary.padId(), 1, r -> {});

    assertThat(blocks.trainingBlocks() + blocks.heldOutBlocks()).isEqualTo(REVIEWS.size() - 1);
  }

  @Test
  void paddingIsMaskedOutOfAttentionAndNeverAQuery() throws IOException {
    ReviewBlocks blocks = read(REVIEWS, 2);
    DistillationQueries queries =
        new DistillationQueries(
            1f, Set.of(vocabulary.clsId(), vocabulary.sepId(), vocabulary.padId()));
    List<int[]> batch = all(blocks);
    List<int[]> positions = new ArrayList<>();
    Random random = new Random(3);
    for (int[] block : batch) {
      positions.add(queries.choose(block, random));
    }

    try (NDManager manager = NDManager.newBaseManager()) {
      DistillationBatch tensors = DistillationBatch.of(manager, batch, positions, vocabulary);

      long[] mask = tensors.inputs().attentionMask().toLongArray();
      for (int b = 0; b < batch.size(); b++) {
        for (int t = 0; t < LENGTH; t++) {
          boolean padding = batch.get(b)[t] == vocabulary.padId();
          assertThat(mask[b * LENGTH + t]).isEqualTo(padding ? 0L : 1L);
        }
        int[] chosen = positions.get(b);
        assertThat(chosen[0]).isZero();
        for (int m = 1; m < chosen.length; m++) {
          assertThat(batch.get(b)[chosen[m]]).isNotIn(vocabulary.padId(), vocabulary.sepId());
        }
        // Rate 1: every real word piece is a query.
        long real = Arrays.stream(batch.get(b)).filter(id -> id != vocabulary.padId()).count();
        assertThat(chosen).hasSize((int) real - 1);
      }
    }
  }

  @Test
  void refusesACorpusOfOneReview() {
    assertThatThrownBy(() -> read(List.of("the end"), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too few");
  }

  private ReviewBlocks read(List<String> reviews, int heldOut) throws IOException {
    return ReviewBlocks.read(
        List.of(corpus(reviews)), Set.of(), runTime, vocabulary.padId(), heldOut, r -> {});
  }

  /** Plain text, one review per line. */
  private Path corpus(List<String> reviews) throws IOException {
    return Files.write(temp.resolve("reviews.txt"), reviews);
  }

  private static List<int[]> all(ReviewBlocks blocks) {
    List<int[]> all = new ArrayList<>();
    for (int i = 0; i < blocks.trainingBlocks(); i++) {
      all.add(blocks.trainingBlock(i));
    }
    for (int i = 0; i < blocks.heldOutBlocks(); i++) {
      all.add(blocks.heldOutBlock(i));
    }
    return all;
  }
}
