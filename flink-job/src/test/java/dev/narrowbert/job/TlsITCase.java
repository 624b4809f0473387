package dev.narrowbert.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import dev.narrowbert.kafka.TlsStores;
import dev.narrowbert.kafka.topics.ReviewProducer;
import dev.narrowbert.kafka.topics.TopicReader;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.SingleObjectCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a TLS-only broker, with its secret kept: a fresh self-signed certificate (made
 * with the JDK's keytool, see {@link TlsStores}), the embedded broker serving clients over TLS
 * only, and the job connecting through its pass-through settings ({@code
 * kafka.security.protocol=SSL}, {@code kafka.ssl.truststore.location}, {@code
 * kafka.ssl.truststore.password}). Reviews must be analysed end to end over TLS, and the trust
 * store's password must appear in no log line of the run at INFO, not in the job parameters the job
 * hands Flink, and in nothing Flink's REST API shows about the job. (Flink's REST API also masks
 * keys it deems sensitive on its own; the job does not rely on it.)
 */
class TlsITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerWithTwoSlots();

  private static final int REVIEWS = 200;

  @Test
  void analysesReviewsOverTlsAndNeverShowsTheTrustStorePassword(
      @InjectMiniCluster MiniCluster cluster, @TempDir Path dir) throws Exception {
    TlsStores stores = TlsStores.create(dir);
    String password = stores.password();
    List<ReviewAnalysis> results = new ArrayList<>();
    String jobConfig;
    String jobDetails;
    List<String> logs;
    try (LogCapture capture = LogCapture.atInfo();
        EmbeddedKafkaBroker kafka =
            EmbeddedKafkaBroker.builder()
                .tls(stores.keyStore(), stores.trustStore(), password)
                .build()
                .start()) {
      TestTopics topics = TestTopics.create(kafka, "tls", 2, Map.of());
      JobSettings settings = topics.settings(Map.of());
      assertThat(settings.kafkaClientProperties())
          .containsEntry("security.protocol", "SSL")
          .containsEntry("ssl.truststore.password", password);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      ReviewAnalysisJob.buildOnKafka(env, settings);
      assertThat(env.getConfig().getGlobalJobParameters().toMap())
          .as("the job parameters the job hands Flink")
          .containsEntry("kafka.ssl.truststore.password", JobSettings.HIDDEN)
          .doesNotContainValue(password);
      JobClient job = env.executeAsync("tls-it");

      try (var producer =
          new ReviewProducer(
              kafka.bootstrapServers(), topics.reviews(), kafka.clientProperties())) {
        for (int r = 0; r < REVIEWS; r++) {
          producer.send(Reviews.review("tls-" + r, Reviews.words(5 + r % 30)));
        }
        producer.flush();
      }
      for (ConsumerRecord<byte[], byte[]> record :
          TopicReader.readCommitted(
              kafka.bootstrapServers(),
              topics.results(),
              REVIEWS,
              Duration.ofMinutes(2),
              Duration.ofSeconds(1),
              kafka.clientProperties())) {
        results.add(SingleObjectCodec.analyses().decode(record.value()));
      }
      jobConfig = JobHealth.rest(cluster, "/jobs/" + job.getJobID() + "/config");
      jobDetails = JobHealth.rest(cluster, "/jobs/" + job.getJobID());
      job.cancel().get();
      logs = capture.lines();
    }

    long leakingLines = logs.stream().filter(line -> line.contains(password)).count();
    System.out.printf(
        "tls: sent=%d, results=%d over SSL, log lines captured=%d (with the password: %d),"
            + " REST /jobs/:id/config and /jobs/:id with the password: %b%n",
        REVIEWS,
        results.size(),
        logs.size(),
        leakingLines,
        jobConfig.contains(password) || jobDetails.contains(password));

    assertThat(results)
        .extracting(ReviewAnalysis::getReviewId)
        .hasSize(REVIEWS)
        .doesNotHaveDuplicates();
    assertThat(logs)
        .as("the capture saw the Kafka clients' configuration dumps")
        .anySatisfy(line -> assertThat(line).contains("ssl.truststore.password = [hidden]"));
    assertThat(leakingLines).as("log lines containing the password").isZero();
    assertThat(jobConfig)
        .as("/jobs/:id/config lists the setting with its value hidden")
        .contains("\"kafka.ssl.truststore.password\":\"" + JobSettings.HIDDEN + "\"")
        .contains("\"kafka.security.protocol\":\"SSL\"")
        .doesNotContain(password);
    assertThat(jobDetails).doesNotContain(password);
  }
}
