package dev.narrowbert.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
  // FIPS 180-2, appendix B.1: the digest of "abc".
  private static final String ABC =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void hashesBytesToTheStandardDigest() {
    assertThat(Sha256.of("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ABC);
  }

  @Test
  void hashesAFileLikeItsBytes(@TempDir Path dir) throws Exception {
    Path file = Files.write(dir.resolve("weights"), "abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(Sha256.of(file)).isEqualTo(ABC);
  }
}
