package dev.narrowbert.training;

import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.CorpusDocuments;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A pretraining corpus as one stream of WordPiece ids: every document tokenised without [CLS] and
 * truncation, each followed by [SEP], as in the "FULL-SENTENCES" packing of RoBERTa (Liu et al.,
 * 2019). Documents are read one line at a time; only the ids are kept (4 bytes per token, about 100
 * MB for the 25 M tokens of IMDB train + unsup), which is what lets training shuffle blocks freely
 * and resume at an exact position.
 *
 * <p>Documents whose text is in {@code excluded} (e.g. the IMDB test reviews) are dropped, so that
 * pretraining never sees evaluation text.
 */
public final class TokenizedCorpus {

  private static final String MAGIC = "narrowbert-corpus-v1";
  private static final int PARALLEL_CHUNK = 512;

  private final int[] ids;
  private final long documents;
  private final long excludedDocuments;

  private TokenizedCorpus(int[] ids, long documents, long excludedDocuments) {
    this.ids = ids;
    this.documents = documents;
    this.excludedDocuments = excludedDocuments;
  }

  public int[] ids() {
    return ids;
  }

  public long documents() {
    return documents;
  }

  public long excludedDocuments() {
    return excludedDocuments;
  }

  /**
   * Tokenises {@code files} in order, documents in parallel chunks but appended in file order.
   *
   * @param reports receives each file's bad-line report
   */
  public static TokenizedCorpus tokenize(
      List<Path> files,
      WordPieceVocabulary vocabulary,
      Set<String> excluded,
      Consumer<BadLineReport> reports)
      throws IOException {
    WordPieceTokenizer tokenizer = new WordPieceTokenizer(vocabulary, Integer.MAX_VALUE);
    int sep = vocabulary.sepId();
    IdBuffer buffer = new IdBuffer();
    long[] counts = new long[2]; // documents kept, documents excluded
    for (Path file : files) {
      List<String> chunk = new ArrayList<>(PARALLEL_CHUNK);
      Runnable flush =
          () -> {
            List<int[]> encoded =
                chunk.parallelStream().map(text -> tokenizer.encode(text).ids()).toList();
            for (int[] document : encoded) {
              buffer.append(document, 1, document.length); // drop [CLS], keep [SEP]
            }
            chunk.clear();
          };
      BadLineReport report =
          CorpusDocuments.read(
              file,
              text -> {
                if (excluded.contains(text.strip())) {
                  counts[1]++;
                  return;
                }
                counts[0]++;
                chunk.add(text);
                if (chunk.size() == PARALLEL_CHUNK) {
                  flush.run();
                }
              });
      flush.run();
      reports.accept(report);
    }
    if (buffer.size == 0) {
      throw new IOException("corpus " + files + " has no documents");
    }
    assert buffer.ids[buffer.size - 1] == sep;
    return new TokenizedCorpus(Arrays.copyOf(buffer.ids, buffer.size), counts[0], counts[1]);
  }

  /**
   * Tokenises {@code files}, or reads {@code cache} if it was written for the same files (path,
   * size, modification time), exclusions and vocabulary; writes the cache otherwise. Resuming a run
   * then skips tokenisation.
   *
   * @param messages receives one-line notes (cache use, counts, bad-line summaries)
   */
  public static TokenizedCorpus cached(
      Path cache,
      List<Path> files,
      List<Path> exclude,
      WordPieceVocabulary vocabulary,
      Consumer<String> messages)
      throws IOException {
    StringBuilder key = new StringBuilder(vocabulary.sha256());
    for (Path file : files) {
      key.append('|').append(describe(file));
    }
    key.append("|exclude");
    for (Path file : exclude) {
      key.append('|').append(describe(file));
    }
    TokenizedCorpus cached = loadIfMatching(cache, key.toString());
    if (cached != null) {
      messages.accept("corpus: " + cached.ids.length + " tokens from cache " + cache);
      return cached;
    }
    Set<String> excluded = new HashSet<>();
    for (Path file : exclude) {
      CorpusDocuments.read(file, text -> excluded.add(text.strip()));
    }
    long started = System.nanoTime();
    TokenizedCorpus tokenized =
        tokenize(
            files,
            vocabulary,
            excluded,
            report -> {
              if (report.badLines() > 0) {
                messages.accept(report.summary());
              }
            });
    messages.accept(
        String.format(
            java.util.Locale.ROOT,
            "corpus: %d documents (%d excluded), %d tokens, tokenised in %.0f s",
            tokenized.documents,
            tokenized.excludedDocuments,
            tokenized.ids.length,
            (System.nanoTime() - started) / 1e9));
    tokenized.save(cache, key.toString());
    return tokenized;
  }

  private static String describe(Path file) throws IOException {
    return file.toAbsolutePath() + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file);
  }

  /** Writes the ids with a key describing the inputs, see {@link #loadIfMatching}. */
  public void save(Path file, String key) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
      out.writeUTF(MAGIC);
      out.writeUTF(key);
      out.writeLong(documents);
      out.writeLong(excludedDocuments);
      out.writeInt(ids.length);
      for (int id : ids) {
        out.writeInt(id);
      }
    }
  }

  /** The cached corpus if {@code file} exists and was written for the same {@code key}. */
  public static TokenizedCorpus loadIfMatching(Path file, String key) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
      if (!MAGIC.equals(in.readUTF()) || !key.equals(in.readUTF())) {
        return null;
      }
      long documents = in.readLong();
      long excluded = in.readLong();
      int[] ids = new int[in.readInt()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = in.readInt();
      }
      return new TokenizedCorpus(ids, documents, excluded);
    }
  }

  /** A growable int array. */
  private static final class IdBuffer {
    int[] ids = new int[1 << 20];
    int size;

    void append(int[] source, int from, int to) {
      int n = to - from;
      if (size + n > ids.length) {
        ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + n));
      }
      System.arraycopy(source, from, ids, size, n);
      size += n;
    }
  }
}
