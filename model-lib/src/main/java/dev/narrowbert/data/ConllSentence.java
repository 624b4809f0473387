package dev.narrowbert.data;

import java.util.List;

/**
 * One sentence of a CoNLL-2003 column file.
 *
 * @param words the tokens (first column)
 * @param tags their IOB2 NER tags (last column), e.g. {@code B-PER}
 * @param firstLine line number of the sentence's first token, for messages
 * @param document the number of {@code -DOCSTART-} lines above the sentence: sentences with the
 *     same number belong to the same document (a file without {@code -DOCSTART-} is one document,
 *     0); only equality matters, e.g. for document context
 */
public record ConllSentence(List<String> words, List<String> tags, long firstLine, int document) {

  public ConllSentence {
    if (words.size() != tags.size()) {
      throw new IllegalArgumentException("words and tags differ in length");
    }
    words = List.copyOf(words);
    tags = List.copyOf(tags);
  }

  /** A sentence of document 0, e.g. one that stands alone. */
  public ConllSentence(List<String> words, List<String> tags, long firstLine) {
    this(words, tags, firstLine, 0);
  }

  public int size() {
    return words.size();
  }

  /** Whether this sentence and {@code other} come from the same document of the same file. */
  public boolean sameDocument(ConllSentence other) {
    return document == other.document;
  }
}
