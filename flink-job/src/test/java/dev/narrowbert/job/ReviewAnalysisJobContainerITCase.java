package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.kafka.topics.MalformedEvents;
import dev.narrowbert.kafka.topics.ReviewProducer;
import dev.narrowbert.kafka.topics.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The end-to-end job test against Apache's Kafka image instead of the embedded broker. Skipped
 * where no Docker engine is available (as on our CI machines).
 */
@Testcontainers(disabledWithoutDocker = true)
class ReviewAnalysisJobContainerITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

  @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.2.0");

  @Test
  void analysesEveryReviewExactlyOnceAgainstADockerizedBroker() throws Exception {
    String bootstrap = KAFKA.getBootstrapServers();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("reviews", 2, (short) 1),
                  new NewTopic("review-analyses", 2, (short) 1),
                  new NewTopic("review-dead-letters", 1, (short) 1)))
          .all()
          .get();
    }
    var malformed = MalformedEvents.all(100_000);
    try (var producer = new ReviewProducer(bootstrap, "reviews", Map.of())) {
      for (int r = 0; r < 100; r++) {
        producer.send(Reviews.review("review-" + r, Reviews.words(5 + r % 40)));
      }
      for (byte[] bad : malformed.keySet()) {
        producer.sendRaw("bad".getBytes(StandardCharsets.UTF_8), bad);
      }
      producer.flush();
    }
    JobSettings settings =
        JobSettings.fromMap(
            Map.of(
                "bootstrap-servers",
                bootstrap,
                "model",
                TestModels.tiny().toString(),
                "bounded",
                "true",
                "checkpoint-interval",
                "500 ms"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ReviewAnalysisJob.buildOnKafka(env, settings);
    env.execute("container-it");

    var results =
        TopicReader.readCommitted(
            bootstrap,
            "review-analyses",
            100,
            Duration.ofSeconds(60),
            Duration.ofSeconds(1),
            Map.of());
    assertThat(results).hasSize(100);
    assertThat(results.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).distinct())
        .hasSize(100);
    var deadLetters =
        TopicReader.readCommitted(
            bootstrap,
            "review-dead-letters",
            malformed.size(),
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            Map.of());
    assertThat(deadLetters).hasSize(malformed.size());
  }
}
