package dev.narrowbert.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Made-up reviews and NER sentences over the words of {@code TinyModelDirectory}'s vocabulary.
 * Sentiment is trivially separable: positive reviews use only positive words and vice versa.
 */
final class SyntheticData {

  private static final String[] POSITIVE = {"great", "good", "loved", "fun"};
  private static final String[] NEGATIVE = {"terrible", "bad", "hated", "boring"};
  private static final String[] NEUTRAL = {"the", "movie", "film", "plot", "acting", "story"};

  private SyntheticData() {}

  /** {@code count} labelled reviews, alternating positive and negative. */
  static Path reviews(Path file, int count, long seed) throws IOException {
    Random random = new Random(seed);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int label = i % 2;
      String[] sentiment = label == 1 ? POSITIVE : NEGATIVE;
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 6; w++) {
        String[] pool = w % 2 == 0 ? NEUTRAL : sentiment;
        text.append(w == 0 ? "" : w == 3 ? "<br /> " : " ")
            .append(pool[random.nextInt(pool.length)]);
      }
      lines.add("{\"id\": " + i + ", \"label\": " + label + ", \"text\": \"" + text + "\"}");
    }
    return Files.write(file, lines);
  }

  /** CoNLL columns: sentences like "tom hanks loved paris ." with PER and LOC entities. */
  static Path sentences(Path file, int count, long seed) throws IOException {
    return documents(file, 1, count, seed);
  }

  /**
   * CoNLL columns as {@link #sentences}, in {@code documents} documents of {@code perDocument}
   * sentences, each opened by a {@code -DOCSTART-} line.
   */
  static Path documents(Path file, int documents, int perDocument, long seed) throws IOException {
    Random random = new Random(seed);
    String[][] people = {{"tom", "hanks"}, {"meryl", "streep"}};
    String[] places = {"paris", "london"};
    List<String> lines = new ArrayList<>();
    for (int d = 0; d < documents; d++) {
      lines.addAll(List.of("-DOCSTART- -X- -X- O", ""));
      for (int i = 0; i < perDocument; i++) {
        String[] person = people[random.nextInt(people.length)];
        lines.add(person[0] + " NNP B-NP B-PER");
        lines.add(person[1] + " NNP I-NP I-PER");
        lines.add((random.nextBoolean() ? "loved" : "hated") + " VBD B-VP O");
        lines.add("the DT B-NP O");
        lines.add("film NN I-NP O");
        lines.add("in IN B-PP O");
        lines.add(places[random.nextInt(places.length)] + " NNP B-NP B-LOC");
        lines.add(". . O O");
        lines.add("");
      }
    }
    return Files.write(file, lines);
  }
}
