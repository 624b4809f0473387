package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSettingsTest {

  private static String model() {
    return TestModels.tiny().toString();
  }

  @Test
  void fillsInDocumentedDefaults() {
    JobSettings settings =
        JobSettings.fromArgs(new String[] {"--bootstrap-servers", "k:9092", "--model", model()});
    assertThat(settings.reviewsTopic()).isEqualTo("reviews");
    assertThat(settings.maxBatchDelay()).isEqualTo(Duration.ofMillis(100));
    assertThat(settings.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.bounded()).isFalse();
    assertThat(settings.rebalance()).isTrue();
    for (ConfigOption<?> option : JobOptions.ALL) {
      assertThat(JobOptions.description(option)).as(option.key()).isNotBlank();
    }
  }

  @Test
  void argumentsOverrideTheConfigFileAndKafkaKeysPassThrough(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("job.properties"),
            "bootstrap-servers=file:9092\nmax-batch-size=8\nkafka.security.protocol=SSL\nmodel="
                + model().replace("\\", "\\\\")
                + "\n");
    JobSettings settings =
        JobSettings.fromArgs(
            new String[] {"--config", file.toString(), "--max-batch-size", "16", "--bounded"});

    assertThat(settings.bootstrapServers()).isEqualTo("file:9092");
    assertThat(settings.maxBatchSize()).isEqualTo(16);
    assertThat(settings.bounded()).isTrue();
    assertThat(settings.kafkaClientProperties()).containsEntry("security.protocol", "SSL");
    assertThat(JobSettings.fromMap(settings.toMap())).isEqualTo(settings);
  }

  @Test
  void takesTypedValuesAsTheyAreAndShowsThemAsSettingsAreWritten() {
    Configuration config = new Configuration();
    config.set(JobOptions.BOOTSTRAP_SERVERS, "k:9092");
    config.set(JobOptions.MODEL, model());
    config.set(JobOptions.MAX_BATCH_DELAY, Duration.ofMillis(250));
    config.set(JobOptions.BOUNDED, true);
    config.setString("max-batch-size", "16 ");
    JobSettings settings = JobSettings.from(config);

    assertThat(settings.maxBatchDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.bounded()).isTrue();
    assertThat(settings.maxBatchSize()).isEqualTo(16);
    assertThat(settings.toMap())
        .containsEntry("max-batch-delay", "250 ms")
        .containsEntry("checkpoint-interval", "10 s")
        .containsEntry("precision", "fp32");
    assertThat(settings.toMap().keySet()).startsWith(JobOptions.KEYS.toArray(String[]::new));
  }

  @Test
  void hidesSecretsFromJobParametersAndToStringButPassesThemToKafkaClients() {
    Map<String, String> given = new HashMap<>();
    given.put("bootstrap-servers", "k:9093");
    given.put("model", model());
    given.put("kafka.security.protocol", "SASL_SSL");
    given.put("kafka.ssl.truststore.location", "/etc/kafka/truststore.p12");
    given.put("kafka.ssl.truststore.password", "s3cret-trust");
    given.put("kafka.ssl.key.password", "s3cret-key");
    given.put("kafka.ssl.keystore.key", "-----BEGIN PRIVATE KEY----- s3cret-pem");
    given.put("kafka.sasl.jaas.config", "PlainLoginModule required password=\"s3cret-jaas\";");
    given.put("kafka.my.token", "s3cret-token");
    JobSettings settings = JobSettings.fromMap(given);

    assertThat(settings.kafkaClientProperties())
        .containsEntry("ssl.truststore.password", "s3cret-trust")
        .containsEntry("ssl.keystore.key", "-----BEGIN PRIVATE KEY----- s3cret-pem")
        .containsEntry("sasl.jaas.config", "PlainLoginModule required password=\"s3cret-jaas\";");
    Map<String, String> shown = settings.toRedactedMap();
    assertThat(shown)
        .containsEntry("kafka.security.protocol", "SASL_SSL")
        .containsEntry("kafka.ssl.truststore.location", "/etc/kafka/truststore.p12")
        .containsEntry("kafka.ssl.truststore.password", JobSettings.HIDDEN)
        .containsEntry("kafka.ssl.key.password", JobSettings.HIDDEN)
        .containsEntry("kafka.ssl.keystore.key", JobSettings.HIDDEN)
        .containsEntry("kafka.sasl.jaas.config", JobSettings.HIDDEN)
        .containsEntry("kafka.my.token", JobSettings.HIDDEN);
    assertThat(shown.toString()).doesNotContain("s3cret");
    assertThat(settings.toString()).doesNotContain("s3cret").contains("k:9093");
  }

  @Test
  void rejectsUnknownKeysAndBadValuesNamingThem() {
    String[] base = {"--bootstrap-servers", "k:9092", "--model", model()};
    assertThatThrownBy(() -> JobSettings.fromArgs(concat(base, "--max-batch-tokenz", "5")))
        .hasMessageStartingWith("unknown setting 'max-batch-tokenz'");
    assertThatThrownBy(() -> JobSettings.fromArgs(concat(base, "--max-batch-size", "many")))
        .hasMessage("max-batch-size must be a whole number, got 'many'");
    assertThatThrownBy(() -> JobSettings.fromArgs(concat(base, "--max-batch-delay", "soon")))
        .hasMessageStartingWith("max-batch-delay must be a duration");
    assertThatThrownBy(() -> JobSettings.fromArgs(concat(base, "--bounded", "maybe")))
        .hasMessage("bounded must be true or false, got 'maybe'");
    assertThatThrownBy(() -> JobSettings.fromArgs(concat(base, "--device", "tpu")))
        .hasMessage("device must be auto, cpu, gpu or gpu:N, got 'tpu'");
    assertThatThrownBy(() -> JobSettings.fromArgs(new String[] {"--model", model()}))
        .hasMessage("bootstrap-servers is required");
    assertThatThrownBy(
            () ->
                JobSettings.fromArgs(
                    new String[] {"--bootstrap-servers", "k:1", "--model", "/no/such/model"}))
        .hasMessage("model directory /no/such/model does not exist");
  }

  private static String[] concat(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
