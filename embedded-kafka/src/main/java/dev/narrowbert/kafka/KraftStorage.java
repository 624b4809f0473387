package dev.narrowbert.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory of an {@link EmbeddedKafkaBroker}: created, formatted for KRaft the way {@code
 * kafka-storage.sh format} does it, and deleted.
 */
final class KraftStorage {
  private static final Logger LOG = LoggerFactory.getLogger(KraftStorage.class);

  private KraftStorage() {}

  /** Formats {@code dataDirectory} under a new cluster id unless it holds a broker already. */
  static void formatIfNew(Path dataDirectory, KafkaConfig config) {
    if (Files.exists(dataDirectory.resolve("meta.properties"))) {
      return;
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(print)
          .setNodeId(SingleNodeConfig.NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(dataDirectory.toAbsolutePath().toString()))
          .setMetadataLogDirectory(config.metadataLogDir())
          .setControllerListenerName(SingleNodeConfig.CONTROLLER_LISTENER)
          .setUnstableFeatureVersionsEnabled(false)
          .setHasDynamicQuorum(false)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot format Kafka storage in " + dataDirectory + ": " + e.getMessage(), e);
    }
    LOG.debug("Formatted Kafka storage: {}", output.toString(StandardCharsets.UTF_8).trim());
  }

  /** A new temporary directory under {@code java.io.tmpdir}. */
  static Path createTempDirectory() {
    try {
      return Files.createTempDirectory("narrowbert-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data directory for the Kafka broker", e);
    }
  }

  /** Deletes {@code root} and all below it; logs what it could not delete. */
  static void delete(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      LOG.warn("Could not delete Kafka data directory {}: {}", root, e.toString());
    }
  }
}
