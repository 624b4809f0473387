package dev.narrowbert.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Streams sentences from a CoNLL-2003 column file (Tjong Kim Sang and De Meulder, 2003): one token
 * per line as {@code token POS chunk NER} (only the first and last columns are used, so two-column
 * files work too), blank lines between sentences. A {@code -DOCSTART-} line starts a new document:
 * it is not a sentence, but each sentence records how many came before it ({@link
 * ConllSentence#document()}), so that a reader can keep to one document. Tags must be IOB2 ({@code
 * O}, {@code B-X}, {@code I-X}). A bad token line is reported and its whole sentence is dropped,
 * because a sentence with a hole would teach wrong context.
 */
public final class ConllColumns {

  private static final Pattern TAG = Pattern.compile("O|[BI]-[A-Za-z]+");

  private ConllColumns() {}

  /** Calls {@code sink} for every well-formed sentence, in file order. */
  public static BadLineReport read(Path file, Consumer<ConllSentence> sink) throws IOException {
    BadLineReport report = new BadLineReport(file);
    List<String> words = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    long first = 0;
    int document = 0;
    boolean broken = false;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      long number = 0;
      for (String line = reader.readLine(); ; line = reader.readLine()) {
        number++;
        String trimmed = line == null ? "" : line.strip();
        boolean documentStart = trimmed.startsWith("-DOCSTART-");
        if (trimmed.isEmpty() || documentStart) {
          if (!words.isEmpty() && !broken) {
            sink.accept(new ConllSentence(words, tags, first, document));
          }
          if (documentStart) {
            document++;
          }
          words.clear();
          tags.clear();
          broken = false;
          if (line == null) {
            break;
          }
          continue;
        }
        if (words.isEmpty()) {
          first = number;
        }
        String[] columns = trimmed.split("\\s+");
        String tag = columns[columns.length - 1];
        if (columns.length < 2) {
          report.bad(number, "expected 'token POS chunk NER' columns");
          broken = true;
        } else if (!TAG.matcher(tag).matches()) {
          report.bad(number, "'" + tag + "' is not an IOB2 tag");
          broken = true;
        } else {
          report.good();
          words.add(columns[0]);
          tags.add(tag);
        }
      }
    }
    report.finish();
    return report;
  }
}
