package dev.narrowbert.job;

import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/** Fresh reviews, results and dead-letter topics for one test, and job settings that use them. */
record TestTopics(EmbeddedKafkaBroker kafka, String reviews, String results, String deadLetters) {

  /** Creates {@code name-reviews} (with {@code reviewsConfig}), {@code name-results}, ... */
  static TestTopics create(
      EmbeddedKafkaBroker kafka, String name, int partitions, Map<String, String> reviewsConfig) {
    TestTopics topics =
        new TestTopics(kafka, name + "-reviews", name + "-results", name + "-dead-letters");
    kafka.createTopics(
        List.of(
            new NewTopic(topics.reviews, partitions, (short) 1).configs(reviewsConfig),
            new NewTopic(topics.results, 2, (short) 1),
            new NewTopic(topics.deadLetters, 1, (short) 1)));
    return topics;
  }

  /**
   * An unbounded job on these topics at parallelism 2 with the tiny model, one PyTorch thread per
   * subtask, small batches and 500 ms checkpoints; {@code overrides} win.
   */
  JobSettings settings(Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>();
    values.put("bootstrap-servers", kafka.bootstrapServers());
    values.put("reviews-topic", reviews);
    values.put("results-topic", results);
    values.put("dead-letter-topic", deadLetters);
    values.put("group-id", reviews + "-job");
    values.put("transactional-id-prefix", reviews + "-job");
    values.put("model", TestModels.tiny().toString());
    values.put("device", "cpu");
    values.put("inference-threads", "1");
    values.put("max-batch-size", "16");
    values.put("max-batch-delay", "20 ms");
    values.put("checkpoint-interval", "500 ms");
    values.put("parallelism", "2");
    kafka.clientProperties().forEach((key, value) -> values.put("kafka." + key, value));
    values.putAll(overrides);
    return JobSettings.fromMap(values);
  }
}
