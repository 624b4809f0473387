package dev.narrowbert.data;

import java.util.List;

/**
 * One sentence of a CoNLL-2003 column file.
 *
 * @param words the tokens (first column)
 * @param tags their IOB2 NER tags (last column), e.g. {@code B-PER}
 * @param firstLine line number of the sentence's first token, for messages
 */
public record ConllSentence(List<String> words, List<String> tags, long firstLine) {

  public ConllSentence {
    if (words.size() != tags.size()) {
      throw new IllegalArgumentException("words and tags differ in length");
    }
    words = List.copyOf(words);
    tags = List.copyOf(tags);
  }

  public int size() {
    return words.size();
  }
}
