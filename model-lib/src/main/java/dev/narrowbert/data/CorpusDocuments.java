package dev.narrowbert.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Pretraining documents from a file of either format: {@code *.jsonl} / {@code *.json} are review
 * JSON lines (the {@code text} of every review, labelled or not), anything else is plain text with
 * one document per line.
 */
public final class CorpusDocuments {

  private CorpusDocuments() {}

  public static boolean isJsonLines(Path file) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return name.endsWith(".jsonl") || name.endsWith(".json");
  }

  /** Calls {@code sink} with the text of every document of {@code file}. */
  public static BadLineReport read(Path file, Consumer<String> sink) throws IOException {
    return isJsonLines(file)
        ? ReviewJsonLines.read(file, review -> sink.accept(review.text()))
        : PlainTextLines.read(file, sink);
  }
}
