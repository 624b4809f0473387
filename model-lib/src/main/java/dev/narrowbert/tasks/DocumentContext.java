package dev.narrowbert.tasks;

import dev.narrowbert.data.ConllSentence;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Document context for NER, as FLERT (Schweter and Akbik, 2020, arXiv 2011.06993; also Luoma and
 * Pyysalo, COLING 2020): each CoNLL sentence is read with the words of its neighbouring sentences
 * of the same document around it, while labels, queries and scores stay on the sentence's own words
 * ({@link TaggedSentence#of(List, ConllSentence, List, WordPieceTokenizer, List)}). CoNLL-2003
 * sentences are short and often headlines or table rows whose entities only the article explains;
 * production reviews are whole documents, so the tagger always has context there.
 *
 * <p>The context is at most {@code pieces} word pieces in all, and never more than the tokenizer's
 * maximum length leaves beside the sentence and [CLS]/[SEP], so context never truncates the
 * sentence (a sentence that fills the length alone gets none). Half of it is offered to the left,
 * the rest to the right, and a side that reaches its document's edge leaves its share to the other.
 * Context is whole words, the nearest first, and never crosses a {@code -DOCSTART-} boundary
 * ({@link ConllSentence#sameDocument}). With NarrowBERT it costs only the full layers: context
 * words are not queries. With {@code pieces} 0 every sentence is tagged exactly as {@link
 * TaggedSentence#of(ConllSentence, WordPieceTokenizer, List)} tags it alone.
 */
public final class DocumentContext {

  private final WordPieceTokenizer tokenizer;
  private final WordPieceTokenizer counter;
  private final List<String> labels;
  private final int pieces;
  private final Map<String, Integer> wordPieces = new HashMap<>();

  /**
   * @param tokenizer tokenizes the sentences with their context; its maximum length bounds both
   * @param labels the model's entity labels
   * @param pieces word pieces of context per sentence, in all; 0 for none
   * @throws IllegalArgumentException if {@code pieces} is negative
   */
  public DocumentContext(WordPieceTokenizer tokenizer, List<String> labels, int pieces) {
    if (pieces < 0) {
      throw new IllegalArgumentException("context must be >= 0 word pieces, was " + pieces);
    }
    this.tokenizer = tokenizer;
    this.counter =
        new WordPieceTokenizer(tokenizer.vocabulary(), Integer.MAX_VALUE, tokenizer.truncation());
    this.labels = List.copyOf(labels);
    this.pieces = pieces;
  }

  /** Word pieces of context per sentence, at most. */
  public int pieces() {
    return pieces;
  }

  /**
   * Tags {@code sentences}, which are consecutive sentences of one file in file order (a whole
   * file, or whole documents of it: context comes only from the list).
   *
   * @return one tagged sentence per sentence, in the same order
   */
  public List<TaggedSentence> tag(List<ConllSentence> sentences) {
    List<TaggedSentence> tagged = new ArrayList<>(sentences.size());
    for (int i = 0; i < sentences.size(); i++) {
      tagged.add(tag(sentences, i));
    }
    return tagged;
  }

  private TaggedSentence tag(List<ConllSentence> sentences, int index) {
    ConllSentence sentence = sentences.get(index);
    if (pieces == 0) {
      return TaggedSentence.of(sentence, tokenizer, labels);
    }
    int own = sentence.words().stream().mapToInt(this::piecesOf).sum();
    int budget = Math.min(pieces, Math.max(0, tokenizer.maxLength() - 2 - own));
    Side left = new Side(sentences, index, -1);
    Side right = new Side(sentences, index, +1);
    int used = left.take(budget / 2);
    used += right.take(budget - used);
    left.take(budget - used);
    TaggedSentence withContext =
        TaggedSentence.of(left.words(), sentence, right.words(), tokenizer, labels);
    // Word pieces are counted per word, which the joined text should reproduce; should it not,
    // reading the sentence alone is better than losing its words to truncation.
    return withContext.encoding().truncated()
        ? TaggedSentence.of(sentence, tokenizer, labels)
        : withContext;
  }

  private int piecesOf(String word) {
    return wordPieces.computeIfAbsent(word, w -> counter.encode(w).tokenCount() - 2);
  }

  /** The context words on one side of a sentence, taken outwards from it, nearest first. */
  private final class Side {
    private final List<ConllSentence> sentences;
    private final ConllSentence own;
    private final int direction;
    private final Deque<String> words = new ArrayDeque<>();
    // The next candidate word, unless the document (or the list) has run out.
    private int sentence;
    private int word;
    private boolean exhausted;

    Side(List<ConllSentence> sentences, int index, int direction) {
      this.sentences = sentences;
      this.own = sentences.get(index);
      this.direction = direction;
      this.sentence = index;
      this.word = direction < 0 ? -1 : own.size();
      settle();
    }

    /** Takes whole words outwards while they fit in {@code budget}; returns the pieces taken. */
    int take(int budget) {
      int used = 0;
      while (!exhausted) {
        String candidate = sentences.get(sentence).words().get(word);
        int cost = piecesOf(candidate);
        if (used + cost > budget) {
          break; // the next call, with more budget, starts from this word again
        }
        used += cost;
        if (direction < 0) {
          words.addFirst(candidate);
        } else {
          words.addLast(candidate);
        }
        word += direction;
        settle();
      }
      return used;
    }

    List<String> words() {
      return List.copyOf(words);
    }

    /** Moves past a sentence's end into the neighbouring sentence of the same document. */
    private void settle() {
      while (word < 0 || word >= sentences.get(sentence).size()) {
        int next = sentence + direction;
        if (next < 0 || next >= sentences.size() || !sentences.get(next).sameDocument(own)) {
          exhausted = true;
          return;
        }
        sentence = next;
        word = direction < 0 ? sentences.get(next).size() - 1 : 0;
      }
    }
  }
}
