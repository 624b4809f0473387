package dev.narrowbert.tasks;

import dev.narrowbert.data.ConllSentence;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import java.util.List;

/**
 * A CoNLL sentence aligned to WordPiece tokens. The CoNLL words are joined with single spaces and
 * tokenised as one text; each word's label then sits on its first sub-token, found by character
 * offset (the tokenizer may split a CoNLL word such as {@code U.S.} into several of its own words,
 * so its word ids cannot be used directly). This is the labelling of Devlin et al. (2019), Section
 * 5.3.
 *
 * @param encoding the tokens of the joined sentence
 * @param firstTokens per CoNLL word, its first sub-token position, or -1 if truncation dropped it
 * @param tags per CoNLL word, the gold tag id in the model's entity labels
 */
public record TaggedSentence(Encoding encoding, int[] firstTokens, int[] tags) {

  /**
   * @throws IllegalArgumentException if a tag is not one of {@code labels}
   */
  public static TaggedSentence of(
      ConllSentence sentence, WordPieceTokenizer tokenizer, List<String> labels) {
    return of(List.of(), sentence, List.of(), tokenizer, labels);
  }

  /**
   * The sentence read between context words ({@link DocumentContext}): the text is {@code left},
   * the sentence's words and {@code right}, all joined with single spaces as running text, so the
   * full layers attend to the context; only the sentence's words get first tokens, tags and
   * queries. Without context words this is exactly {@link #of(ConllSentence, WordPieceTokenizer,
   * List)}.
   *
   * @param left words before the sentence, in text order
   * @param right words after it
   * @throws IllegalArgumentException if a tag is not one of {@code labels}
   */
  public static TaggedSentence of(
      List<String> left,
      ConllSentence sentence,
      List<String> right,
      WordPieceTokenizer tokenizer,
      List<String> labels) {
    List<String> words = sentence.words();
    int[] wordStarts = new int[words.size()];
    StringBuilder text = new StringBuilder();
    for (String word : left) {
      text.append(word).append(' ');
    }
    for (int w = 0; w < words.size(); w++) {
      if (w > 0) {
        text.append(' ');
      }
      wordStarts[w] = text.length();
      text.append(words.get(w));
    }
    for (String word : right) {
      text.append(' ').append(word);
    }
    Encoding encoding = tokenizer.encode(text.toString());
    int[] firstTokens = new int[words.size()];
    int t = 1; // after [CLS]
    for (int w = 0; w < words.size(); w++) {
      int end = wordStarts[w] + words.get(w).length();
      while (t < encoding.tokenCount() - 1 && encoding.starts()[t] < wordStarts[w]) {
        t++;
      }
      boolean inside =
          t < encoding.tokenCount() - 1 && encoding.wordIds()[t] >= 0 && encoding.starts()[t] < end;
      firstTokens[w] = inside ? t : -1;
    }
    int[] tags = new int[words.size()];
    for (int w = 0; w < words.size(); w++) {
      tags[w] = labels.indexOf(sentence.tags().get(w));
      if (tags[w] < 0) {
        throw new IllegalArgumentException(
            "tag "
                + sentence.tags().get(w)
                + " (line "
                + sentence.firstLine()
                + ") not in "
                + labels);
      }
    }
    return new TaggedSentence(encoding, firstTokens, tags);
  }

  /** Positions of the words that survived truncation, in word order: the NER queries. */
  public int[] queryPositions() {
    return java.util.Arrays.stream(firstTokens).filter(p -> p >= 0).toArray();
  }

  /** Gold tags of the words in {@link #queryPositions()}. */
  public int[] queryTags() {
    int[] result = new int[queryPositions().length];
    int i = 0;
    for (int w = 0; w < firstTokens.length; w++) {
      if (firstTokens[w] >= 0) {
        result[i++] = tags[w];
      }
    }
    return result;
  }
}
