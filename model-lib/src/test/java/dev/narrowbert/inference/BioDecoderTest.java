package dev.narrowbert.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class BioDecoderTest {

  private static final List<String> TAGS = NarrowBertConfig.ENTITY_LABELS;
  private static final BioDecoder DECODER = new BioDecoder(TAGS);
  private static final WordPieceTokenizer TOKENIZER =
      new WordPieceTokenizer(TinyModelDirectory.vocabulary(), 32);

  private static int tag(String name) {
    return TAGS.indexOf(name);
  }

  @Test
  void spansMultiWordEntityToTheEndOfItsLastSubToken() {
    Encoding encoding = TOKENIZER.encode("Tom Hanks loved Paris");
    int[] words = encoding.firstSubTokenPositions();
    int[] tags = {tag("B-PER"), tag("I-PER"), tag("O"), tag("B-LOC")};
    float[] scores = {0.9f, 0.7f, 0.99f, 0.6f};

    List<Entity> entities = DECODER.decode(encoding, words, tags, scores);

    assertThat(entities).extracting(Entity::type).containsExactly("PER", "LOC");
    assertThat(entities).extracting(Entity::text).containsExactly("Tom Hanks", "Paris");
    assertThat(entities.get(0).start()).isZero();
    assertThat(entities.get(0).end()).isEqualTo(9);
    assertThat(entities.get(1).start()).isEqualTo(16);
    assertThat(entities.get(0).score()).isCloseTo(0.8f, org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void endsAtTheLastSubTokenOfTheLastWord() {
    Encoding encoding = TOKENIZER.encode("films in London");
    int[] words = encoding.firstSubTokenPositions();

    List<Entity> entities =
        DECODER.decode(
            encoding,
            words,
            new int[] {tag("B-MISC"), tag("O"), tag("B-LOC")},
            new float[] {1, 1, 1});

    assertThat(entities.get(0).text()).isEqualTo("films");
    assertThat(entities.get(1).end()).isEqualTo(15);
  }

  @Test
  void startsANewEntityOnTypeChangeOrStrayInside() {
    Encoding encoding = TOKENIZER.encode("tom paris london");
    int[] words = encoding.firstSubTokenPositions();
    int[] tags = {tag("I-PER"), tag("I-LOC"), tag("B-LOC")};

    List<Entity> entities = DECODER.decode(encoding, words, tags, new float[] {1, 1, 1});

    assertThat(entities).extracting(Entity::text).containsExactly("tom", "paris", "london");
  }
}
