package dev.narrowbert.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerITCase {

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.builder().topic("reviews", 3).topic("results", 1).build().start();
  }

  @AfterAll
  static void closeBroker() {
    broker.close();
  }

  @Test
  void createsConfiguredTopicsWithTheirPartitions() throws Exception {
    try (var admin = broker.admin()) {
      var topics = admin.describeTopics(List.of("reviews", "results")).allTopicNames().get();
      assertThat(topics.get("reviews").partitions()).hasSize(3);
      assertThat(topics.get("results").partitions()).hasSize(1);
    }
    assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
  }

  @Test
  void readCommittedConsumerSeesOnlyCommittedTransactions() {
    String topic = "tx-" + UUID.randomUUID();
    broker.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)));

    try (var producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "r1", "committed-1"));
      producer.send(new ProducerRecord<>(topic, "r2", "committed-2"));
      producer.commitTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "r3", "aborted"));
      producer.flush();
      producer.abortTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "r4", "committed-3"));
      producer.commitTransaction();
    }

    assertThat(readAll(topic, "read_committed", 3))
        .containsExactly("committed-1", "committed-2", "committed-3");
    assertThat(readAll(topic, "read_uncommitted", 4))
        .containsExactly("committed-1", "committed-2", "aborted", "committed-3");
  }

  @Test
  void restartsOnTheSamePortWithItsDataAfterStop() throws Exception {
    Path dataDir = Files.createTempDirectory("restart-broker-");
    try (var own = EmbeddedKafkaBroker.builder().dataDirectory(dataDir).topic("kept", 1).build()) {
      own.start();
      String bootstrap = own.bootstrapServers();
      try (var producer = producer(bootstrap, Map.of())) {
        producer.send(new ProducerRecord<>("kept", "k", "before-outage")).get(30, TimeUnit.SECONDS);
      }

      own.stop();
      assertThat(own.isRunning()).isFalse();
      own.start();

      assertThat(own.bootstrapServers()).isEqualTo(bootstrap);
      assertThat(readAll(bootstrap, "kept", "read_committed", 1)).containsExactly("before-outage");
    }
    assertThat(dataDir).as("a caller-provided data directory is kept").exists();
    try (var paths = Files.walk(dataDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void servesTransactionsOverTlsAndRefusesClientsWithoutTheTrustStore(@TempDir Path dir)
      throws Exception {
    TlsStores stores = TlsStores.create(dir);
    try (var tls =
        EmbeddedKafkaBroker.builder()
            .tls(stores.keyStore(), stores.trustStore(), stores.password())
            .topic("secure", 1)
            .build()
            .start()) {
      Map<String, Object> client = new java.util.HashMap<>(tls.clientProperties());
      assertThat(client).containsEntry("security.protocol", "SSL");
      client.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tls-" + UUID.randomUUID());
      client.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 300_000);
      try (var producer = producer(tls.bootstrapServers(), client)) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("secure", "k", "over-tls"));
        producer.commitTransaction();
      }
      assertThat(
              readAll(
                  tls.bootstrapServers(),
                  "secure",
                  "read_committed",
                  1,
                  Map.copyOf(tls.clientProperties())))
          .containsExactly("over-tls");

      Map<String, Object> untrusting =
          Map.of(
              AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
              tls.bootstrapServers(),
              AdminClientConfig.SECURITY_PROTOCOL_CONFIG,
              "SSL",
              AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
              5_000,
              AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
              5_000);
      try (var admin = Admin.create(untrusting)) {
        assertThatThrownBy(() -> admin.listTopics().names().get())
            .as("a TLS client that does not trust the broker's certificate")
            .hasCauseInstanceOf(SslAuthenticationException.class);
      }
      Map<String, Object> plaintext =
          Map.of(
              AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, tls.bootstrapServers(),
              AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
              AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
      try (var admin = Admin.create(plaintext)) {
        assertThatThrownBy(() -> admin.listTopics().names().get())
            .as("a plaintext client gets no answer from the TLS port")
            .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
      }
    }
  }

  @Test
  void closeDeletesTheDataDirectoryItCreated() {
    Path dataDir;
    try (var own = EmbeddedKafkaBroker.builder().build()) {
      own.start();
      dataDir = own.dataDirectory();
      assertThat(dataDir.resolve("meta.properties")).exists();
    }
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void fatalBrokerHaltIsReportedInsteadOfKillingTheJvm() {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      // What Kafka's fault handlers call on an unrecoverable error.
      assertThatThrownBy(() -> Exit.halt(1, "simulated log directory failure"))
          .hasMessageContaining("asked to halt the JVM (status 1)")
          .hasMessageContaining("simulated log directory failure");
    } finally {
      System.setErr(original);
    }

    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .contains("ERROR: embedded Kafka broker hit a fatal error")
        .contains("simulated log directory failure");
    assertThat(broker.fatalError())
        .get()
        .extracting(Throwable::getMessage)
        .asString()
        .contains("simulated log directory failure");
  }

  private static KafkaProducer<String, String> transactionalProducer() {
    return producer(
        broker.bootstrapServers(),
        Map.of(
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            "it-" + UUID.randomUUID(),
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
            300_000));
  }

  private static KafkaProducer<String, String> producer(
      String bootstrap, Map<String, Object> extra) {
    var config = new java.util.HashMap<String, Object>(extra);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static List<String> readAll(String topic, String isolation, int expected) {
    return readAll(broker.bootstrapServers(), topic, isolation, expected);
  }

  private static List<String> readAll(
      String bootstrap, String topic, String isolation, int expected) {
    return readAll(bootstrap, topic, isolation, expected, Map.of());
  }

  private static List<String> readAll(
      String bootstrap, String topic, String isolation, int expected, Map<String, Object> extra) {
    Map<String, Object> config = new java.util.HashMap<>(extra);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    List<String> values = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline && values.size() < expected) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
      // One more poll: nothing beyond the expected records may arrive.
      consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
    }
    return values;
  }
}
