package dev.narrowbert.tasks;

import dev.narrowbert.data.ConllColumns;
import dev.narrowbert.data.ConllSentence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Made-up CoNLL documents over the words of {@code TinyModelDirectory}'s vocabulary (never excerpts
 * of the real corpus), written in the column layout and read back through {@link ConllColumns}, so
 * that the document boundaries are the reader's. A test asks for them as a {@code
 * List<ConllSentence>} parameter. Every word is one word piece.
 *
 * <pre>
 * document 1: [0] tom hanks loved paris .   [1] the film was great .   [2] meryl streep hated london .
 * document 2: [3] the director loved the movie .   [4] tom hanks in london .
 * document 3: [5] meryl streep .
 * </pre>
 */
public final class ConllDocumentsFixture implements ParameterResolver {

  static final List<String> LINES =
      List.of(
          "-DOCSTART- -X- -X- O",
          "",
          "tom NNP B-NP B-PER",
          "hanks NNP I-NP I-PER",
          "loved VBD B-VP O",
          "paris NNP B-NP B-LOC",
          ". . O O",
          "",
          "the DT B-NP O",
          "film NN I-NP O",
          "was VBD B-VP O",
          "great JJ B-ADJP O",
          ". . O O",
          "",
          "meryl NNP B-NP B-PER",
          "streep NNP I-NP I-PER",
          "hated VBD B-VP O",
          "london NNP B-NP B-LOC",
          ". . O O",
          "",
          "-DOCSTART- -X- -X- O",
          "",
          "the DT B-NP O",
          "director NN I-NP O",
          "loved VBD B-VP O",
          "the DT B-NP O",
          "movie NN I-NP O",
          ". . O O",
          "",
          "tom NNP B-NP B-PER",
          "hanks NNP I-NP I-PER",
          "in IN B-PP O",
          "london NNP B-NP B-LOC",
          ". . O O",
          "",
          "-DOCSTART- -X- -X- O",
          "",
          "meryl NNP B-NP B-PER",
          "streep NNP I-NP I-PER",
          ". . O O",
          "");

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == List.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return read(LINES);
  }

  /** The sentences of a CoNLL file with {@code lines}, as {@link ConllColumns} reads them. */
  static List<ConllSentence> read(List<String> lines) {
    try {
      Path file = Files.createTempFile("conll-documents", ".txt");
      try {
        Files.write(file, lines);
        List<ConllSentence> sentences = new ArrayList<>();
        ConllColumns.read(file, sentences::add);
        return sentences;
      } finally {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
