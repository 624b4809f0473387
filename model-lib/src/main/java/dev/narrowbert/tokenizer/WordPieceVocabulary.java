package dev.narrowbert.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A BERT {@code vocab.txt}: one token per line, the line number is the id. Its SHA-256 is stored in
 * the model config so a checkpoint cannot be paired with another vocabulary by accident.
 */
public final class WordPieceVocabulary {

  /** The bert-base-uncased vocabulary (Apache-2.0) shipped as a resource. */
  public static final String BERT_BASE_UNCASED = "bert-base-uncased-vocab.txt";

  private final List<String> tokens;
  private final Map<String, Integer> ids;
  private final String sha256;

  private WordPieceVocabulary(byte[] content) {
    String text = new String(content, StandardCharsets.UTF_8);
    List<String> lines = text.lines().toList();
    this.tokens = lines;
    this.ids = new HashMap<>(lines.size() * 2);
    for (int i = 0; i < lines.size(); i++) {
      ids.putIfAbsent(lines.get(i), i);
    }
    this.sha256 = hash(content);
    for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]")) {
      if (!ids.containsKey(special)) {
        throw new IllegalArgumentException("vocabulary has no " + special + " token");
      }
    }
  }

  public static WordPieceVocabulary of(byte[] content) {
    return new WordPieceVocabulary(content);
  }

  public static WordPieceVocabulary load(Path file) throws IOException {
    return new WordPieceVocabulary(Files.readAllBytes(file));
  }

  /** The shipped bert-base-uncased vocabulary. */
  public static WordPieceVocabulary bertBaseUncased() {
    try (InputStream in = WordPieceVocabulary.class.getResourceAsStream(BERT_BASE_UNCASED)) {
      if (in == null) {
        throw new IllegalStateException("resource " + BERT_BASE_UNCASED + " is missing");
      }
      return new WordPieceVocabulary(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + BERT_BASE_UNCASED, e);
    }
  }

  /** Writes the exact bytes whose hash is {@link #sha256()}. */
  public void save(Path file) throws IOException {
    Files.writeString(file, String.join("\n", tokens) + "\n", StandardCharsets.UTF_8);
  }

  /** The id of {@code token}, or -1 if it is not in the vocabulary. */
  public int id(String token) {
    return ids.getOrDefault(token, -1);
  }

  public String token(int id) {
    return tokens.get(id);
  }

  public int size() {
    return tokens.size();
  }

  public int padId() {
    return ids.get("[PAD]");
  }

  public int unknownId() {
    return ids.get("[UNK]");
  }

  public int clsId() {
    return ids.get("[CLS]");
  }

  public int sepId() {
    return ids.get("[SEP]");
  }

  /**
   * SHA-256 (hex) of the tokens joined by {@code \n} with a trailing newline, so the hash does not
   * depend on line endings; this is exactly what {@link #save} writes.
   */
  public String sha256() {
    return sha256;
  }

  private static String hash(byte[] content) {
    String normalised =
        String.join("\n", new String(content, StandardCharsets.UTF_8).lines().toList()) + "\n";
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(normalised.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
