package dev.narrowbert.cli;

import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.ReviewJsonLines;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The labelled reviews that {@code narrowbert eval --task embedding} embeds: all of a file's, or a
 * seeded random sample of them, in file order. The texts stay in memory because every model
 * tokenises them with its own vocabulary and length.
 *
 * @param texts review texts
 * @param labels their sentiment labels
 * @param labelled labelled reviews in the file, which the sample was drawn from
 */
record ReviewSample(List<String> texts, int[] labels, int labelled) {

  int size() {
    return texts.size();
  }

  /**
   * Reads {@code file}, skipping and counting (on stderr) reviews without a label, and keeps {@code
   * size} of them drawn without replacement with {@code new Random(seed)}; all of them when {@code
   * size} is 0 or at least their number.
   */
  static ReviewSample read(EvalFile file, int size, long seed) throws IOException {
    List<String> texts = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    long[] unlabelled = new long[1];
    BadLineReport report =
        ReviewJsonLines.read(
            file.data(),
            review -> {
              if (review.label() == null) {
                unlabelled[0]++;
              } else {
                texts.add(review.text());
                labels.add(review.label());
              }
            });
    file.warn(
        report, unlabelled[0] > 0 ? unlabelled[0] + " reviews without a label skipped" : null);
    int[] kept = chosen(texts.size(), size, seed);
    List<String> keptTexts = new ArrayList<>(kept.length);
    int[] keptLabels = new int[kept.length];
    for (int i = 0; i < kept.length; i++) {
      keptTexts.add(texts.get(kept[i]));
      keptLabels[i] = labels.get(kept[i]);
    }
    return new ReviewSample(keptTexts, keptLabels, texts.size());
  }

  /** {@code size} of 0..total-1 in ascending order: the head of a seeded partial Fisher-Yates. */
  private static int[] chosen(int total, int size, long seed) {
    int[] indices = new int[total];
    Arrays.setAll(indices, i -> i);
    if (size == 0 || size >= total) {
      return indices;
    }
    Random random = new Random(seed);
    for (int i = 0; i < size; i++) {
      int j = i + random.nextInt(total - i);
      int swap = indices[i];
      indices[i] = indices[j];
      indices[j] = swap;
    }
    int[] head = Arrays.copyOf(indices, size);
    Arrays.sort(head);
    return head;
  }
}
