package dev.narrowbert.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.narrowbert.data.ConllSentence;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ConllDocumentsFixture.class)
class DocumentContextTest {

  private static final List<String> LABELS = NarrowBertConfig.ENTITY_LABELS;

  @Test
  void neverTakesContextAcrossADocStartBoundary(List<ConllSentence> sentences) {
    List<TaggedSentence> tagged = context(64, 40).tag(sentences);

    assertThat(tagged.get(2).encoding().text())
        .isEqualTo("tom hanks loved paris . the film was great . meryl streep hated london .");
    assertThat(tagged.get(3).encoding().text())
        .isEqualTo("the director loved the movie . tom hanks in london .");
    assertThat(tagged.get(4).encoding().text())
        .isEqualTo("the director loved the movie . tom hanks in london .");
    assertThat(tagged.get(5).encoding().text()).isEqualTo("meryl streep .");
  }

  @Test
  void splitsTheContextAboutEvenlyBetweenBothSidesInWholeWords(List<ConllSentence> sentences) {
    TaggedSentence tagged = context(64, 4).tag(sentences).get(1);

    assertThat(tagged.encoding().text()).isEqualTo("paris . the film was great . meryl streep");
    assertThat(tagged.encoding().tokenCount()).isEqualTo(2 + 5 + 4);
  }

  @Test
  void givesTheOtherSideTheShareOfASideAtItsDocumentsEdge(List<ConllSentence> sentences) {
    List<TaggedSentence> tagged = context(64, 4).tag(sentences);

    assertThat(tagged.get(0).encoding().text())
        .isEqualTo("tom hanks loved paris . the film was great");
    assertThat(tagged.get(2).encoding().text())
        .isEqualTo("film was great . meryl streep hated london .");
  }

  @Test
  void neverLetsContextTruncateTheSentence(List<ConllSentence> sentences) {
    // 9 tokens leave 2 beside [CLS], [SEP] and the sentence's 5 word pieces.
    TaggedSentence tagged = context(9, 40).tag(sentences).get(1);

    assertThat(tagged.encoding().text()).isEqualTo(". the film was great . meryl");
    assertThat(tagged.encoding().truncated()).isFalse();
    assertThat(tagged.queryPositions()).hasSize(5);
  }

  @Test
  void putsQueriesAndTagsOnlyOnTheSentencesOwnWords(List<ConllSentence> sentences) {
    List<TaggedSentence> tagged = context(64, 40).tag(sentences);

    for (int i = 0; i < sentences.size(); i++) {
      ConllSentence sentence = sentences.get(i);
      TaggedSentence withContext = tagged.get(i);
      String text = withContext.encoding().text();
      List<String> queried =
          Arrays.stream(withContext.queryPositions())
              .mapToObj(
                  p ->
                      text.substring(
                          withContext.encoding().starts()[p], withContext.encoding().ends()[p]))
              .toList();
      assertThat(queried).as("sentence %d", i).isEqualTo(sentence.words());
      assertThat(withContext.queryTags())
          .isEqualTo(sentence.tags().stream().mapToInt(LABELS::indexOf).toArray());
    }
  }

  @Test
  void withoutContextTagsEverySentenceExactlyAsItIsTaggedAlone(List<ConllSentence> sentences) {
    WordPieceTokenizer tokenizer = new WordPieceTokenizer(TinyModelDirectory.vocabulary(), 16);

    List<TaggedSentence> tagged = new DocumentContext(tokenizer, LABELS, 0).tag(sentences);

    for (int i = 0; i < sentences.size(); i++) {
      TaggedSentence alone = TaggedSentence.of(sentences.get(i), tokenizer, LABELS);
      assertThat(tagged.get(i).encoding()).isEqualTo(alone.encoding());
      assertThat(tagged.get(i).firstTokens()).isEqualTo(alone.firstTokens());
      assertThat(tagged.get(i).tags()).isEqualTo(alone.tags());
    }
  }

  @Test
  void refusesNegativeContext() {
    WordPieceTokenizer tokenizer = new WordPieceTokenizer(TinyModelDirectory.vocabulary(), 16);

    assertThatThrownBy(() -> new DocumentContext(tokenizer, LABELS, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("context must be >= 0 word pieces, was -1");
  }

  private static DocumentContext context(int maxLength, int pieces) {
    return new DocumentContext(
        new WordPieceTokenizer(TinyModelDirectory.vocabulary(), maxLength), LABELS, pieces);
  }
}
