package dev.narrowbert.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.data.ConllSentence;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaggedSentenceTest {

  private final WordPieceVocabulary vocabulary = TinyModelDirectory.vocabulary();

  @Test
  void putsEachWordLabelOnItsFirstSubTokenEvenWhenTheTokenizerSplitsTheWord() {
    // "tom's" is one CoNLL word but three tokenizer words (tom ' s).
    ConllSentence sentence =
        new ConllSentence(
            List.of("tom's", "film", "loved", "paris"), List.of("B-PER", "O", "O", "B-LOC"), 1);

    TaggedSentence tagged =
        TaggedSentence.of(
            sentence, new WordPieceTokenizer(vocabulary, 32), NarrowBertConfig.ENTITY_LABELS);

    // [CLS] tom ' s film loved paris [SEP]
    assertThat(tagged.firstTokens()).containsExactly(1, 4, 5, 6);
    assertThat(tagged.tags()).containsExactly(1, 0, 0, 5);
    assertThat(tagged.queryPositions()).containsExactly(1, 4, 5, 6);
  }

  @Test
  void marksWordsLostToTruncationAndLeavesThemOutOfTheQueries() {
    ConllSentence sentence =
        new ConllSentence(
            List.of("tom", "hanks", "in", "london"), List.of("B-PER", "I-PER", "O", "B-LOC"), 1);

    TaggedSentence tagged =
        TaggedSentence.of(
            sentence, new WordPieceTokenizer(vocabulary, 4), NarrowBertConfig.ENTITY_LABELS);

    assertThat(tagged.firstTokens()).containsExactly(1, 2, -1, -1);
    assertThat(tagged.queryTags()).containsExactly(1, 2);
  }
}
