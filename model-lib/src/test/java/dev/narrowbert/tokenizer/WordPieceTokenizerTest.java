package dev.narrowbert.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {

  private static final WordPieceVocabulary VOCAB = WordPieceVocabulary.bertBaseUncased();
  private static final WordPieceTokenizer TOKENIZER = new WordPieceTokenizer(VOCAB, 512);

  private static List<String> tokens(Encoding encoding) {
    return tokens(encoding, VOCAB);
  }

  private static List<String> tokens(Encoding encoding, WordPieceVocabulary vocabulary) {
    List<String> tokens = new ArrayList<>();
    for (int id : encoding.ids()) {
      tokens.add(vocabulary.token(id));
    }
    return tokens;
  }

  private static List<String> spans(Encoding encoding) {
    List<String> spans = new ArrayList<>();
    for (int t = 1; t < encoding.tokenCount() - 1; t++) {
      spans.add(encoding.text().substring(encoding.starts()[t], encoding.ends()[t]));
    }
    return spans;
  }

  @Test
  void splitsUnaffableGreedilyWithTheRealVocabulary() {
    // bert-base-uncased has no "##aff", so greedy longest-match gives una ##ffa ##ble (as HF
    // does); the "un ##aff ##able" of the BERT README needs a vocabulary with those pieces.
    Encoding encoding = TOKENIZER.encode("unaffable");

    assertThat(tokens(encoding)).containsExactly("[CLS]", "una", "##ffa", "##ble", "[SEP]");
    assertThat(spans(encoding)).containsExactly("una", "ffa", "ble");
    assertThat(encoding.wordIds()).containsExactly(-1, 0, 0, 0, -1);
  }

  @Test
  void splitsUnaffableAsTheBertReadmeWithMatchingPieces() {
    WordPieceVocabulary readme =
        WordPieceVocabulary.of(
            "[PAD]\n[UNK]\n[CLS]\n[SEP]\nun\n##aff\n##able\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Encoding encoding = new WordPieceTokenizer(readme, 8).encode("unaffable");

    assertThat(tokens(encoding, readme)).containsExactly("[CLS]", "un", "##aff", "##able", "[SEP]");
  }

  @Test
  void matchesBertIdsForPunctuatedSentence() {
    Encoding encoding = TOKENIZER.encode("Hello, world!");

    assertThat(encoding.ids()).containsExactly(101, 7592, 1010, 2088, 999, 102);
    assertThat(spans(encoding)).containsExactly("Hello", ",", "world", "!");
    assertThat(encoding.firstSubTokenPositions()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void lowercasesAndStripsAccentsButKeepsOriginalOffsets() {
    Encoding encoding = TOKENIZER.encode("Crème Brûlée");

    String joined = String.join("", tokens(encoding).subList(1, encoding.tokenCount() - 1));
    assertThat(joined.replace("##", "")).isEqualTo("cremebrulee");
    assertThat(String.join("", spans(encoding))).isEqualTo("CrèmeBrûlée");
    assertThat(encoding.firstSubTokenPositions()).hasSize(2);
  }

  @Test
  void turnsEmojiAndOverlongWordsIntoUnknown() {
    Encoding emoji = TOKENIZER.encode("great 😀");
    Encoding overlong = TOKENIZER.encode("a" + "b".repeat(100) + " ok");

    assertThat(tokens(emoji)).containsExactly("[CLS]", "great", "[UNK]", "[SEP]");
    assertThat(spans(emoji)).containsExactly("great", "😀");
    assertThat(tokens(overlong)).containsExactly("[CLS]", "[UNK]", "ok", "[SEP]");
    assertThat(overlong.ends()[1]).isEqualTo(101);
  }

  @Test
  void putsEveryCjkCharacterInItsOwnWord() {
    Encoding encoding = TOKENIZER.encode("我爱ab");

    assertThat(spans(encoding)).startsWith("我", "爱");
    assertThat(encoding.wordIds()[1]).isNotEqualTo(encoding.wordIds()[2]);
  }

  @Test
  void encodesEmptyAndWhitespaceOnlyTextAsClsSep() {
    for (String text : List.of("", "   \t\n ", "\u0000\u200b")) {
      Encoding encoding = TOKENIZER.encode(text);
      assertThat(tokens(encoding)).containsExactly("[CLS]", "[SEP]");
      assertThat(encoding.truncated()).isFalse();
    }
  }

  @Test
  void dropsControlCharactersWithoutSplittingTheWord() {
    Encoding encoding = TOKENIZER.encode("hel\u0001lo");

    assertThat(tokens(encoding)).containsExactly("[CLS]", "hello", "[SEP]");
    assertThat(spans(encoding)).containsExactly("hel\u0001lo");
  }

  @Test
  void truncatesExplicitlyAndReportsIt() {
    WordPieceTokenizer shortTokenizer = new WordPieceTokenizer(VOCAB, 5);

    Encoding truncated = shortTokenizer.encode("one two three four five");
    Encoding fits = shortTokenizer.encode("one two three");

    assertThat(tokens(truncated)).containsExactly("[CLS]", "one", "two", "three", "[SEP]");
    assertThat(truncated.truncated()).isTrue();
    assertThat(truncated.tokenCount()).isEqualTo(5);
    assertThat(fits.truncated()).isFalse();
  }

  @Test
  void offsetsMapEveryTokenBackToItsOriginalSubstring() {
    String text = "The movie's  ENDING was\tbreathtaking (10/10) — Ünïcode <b>!";
    Encoding encoding = TOKENIZER.encode(text);

    for (int t = 1; t < encoding.tokenCount() - 1; t++) {
      String token = VOCAB.token(encoding.ids()[t]).replace("##", "");
      String original = text.substring(encoding.starts()[t], encoding.ends()[t]);
      String normalised =
          java.text.Normalizer.normalize(original.toLowerCase(), java.text.Normalizer.Form.NFD)
              .replaceAll("\\p{Mn}", "");
      assertThat(normalised).as("token %d", t).isEqualTo(token);
    }
  }

  @Test
  void blanksLineBreakTagsWithoutMovingOffsets() {
    String text = "good<br /><br/>bad";
    Encoding encoding = TOKENIZER.encode(text, LineBreakTags.blankOut(text));

    assertThat(tokens(encoding)).containsExactly("[CLS]", "good", "bad", "[SEP]");
    assertThat(spans(encoding)).containsExactly("good", "bad");
  }

  @Test
  void worksWithATinyHandWrittenVocabulary() {
    WordPieceVocabulary tiny =
        WordPieceVocabulary.of(
            "[PAD]\n[UNK]\n[CLS]\n[SEP]\nplay\n##ing\n##ed\n!\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Encoding encoding = new WordPieceTokenizer(tiny, 16).encode("Playing played! plays");

    assertThat(encoding.ids()).containsExactly(2, 4, 5, 4, 6, 7, 1, 3);
  }

  @Test
  void headTailKeepsAQuarterFromTheStartAndTheRestFromTheEnd() {
    // 10 tokens of budget: 2 from the head, 8 from the tail.
    WordPieceTokenizer headTail = new WordPieceTokenizer(VOCAB, 12, Truncation.HEAD_TAIL);
    String text = "one two three four five six seven eight nine ten eleven twelve thirteen";

    Encoding encoding = headTail.encode(text);

    assertThat(tokens(encoding))
        .containsExactly(
            "[CLS]",
            "one",
            "two",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "[SEP]");
    assertThat(encoding.truncated()).isTrue();
    assertThat(spans(encoding).get(2)).isEqualTo("six");
    assertThat(encoding.firstSubTokenPositions()).hasSize(10);
  }

  @Test
  void headTailStartsTheTailAtAWordBoundary() {
    // "unaffable" is una ##ffa ##ble: a tail of 3 pieces would start inside it, so it takes 2.
    WordPieceTokenizer headTail = new WordPieceTokenizer(VOCAB, 6, Truncation.HEAD_TAIL);

    Encoding encoding = headTail.encode("one two three unaffable end");

    assertThat(tokens(encoding)).containsExactly("[CLS]", "one", "end", "[SEP]");
    assertThat(encoding.wordIds()).containsExactly(-1, 0, 4, -1);
  }

  @Test
  void headTailLeavesATextThatFitsUntouched() {
    WordPieceTokenizer headTail = new WordPieceTokenizer(VOCAB, 12, Truncation.HEAD_TAIL);

    Encoding encoding = headTail.encode("one two three");

    assertThat(encoding).isEqualTo(TOKENIZER.encode("one two three"));
  }
}
