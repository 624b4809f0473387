package dev.narrowbert.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.HtmlFormatter;

/**
 * Every setting of the streaming job, declared once as a Flink {@link ConfigOption}: key, type,
 * default and description. {@link JobSettings} reads them; {@code narrowbert job --help} and the
 * README's "Job settings" table ({@link JobOptionsTable}) are generated from them; the SQL model
 * provider ({@code NarrowbertModelOptions}) takes the model, inference and batching options from
 * here, so a default or a description cannot differ between the job and {@code ML_PREDICT}.
 */
public final class JobOptions {

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      key("bootstrap-servers")
          .stringType()
          .noDefaultValue()
          .withDescription("Kafka bootstrap.servers (required).");

  public static final ConfigOption<String> REVIEWS_TOPIC =
      key("reviews-topic")
          .stringType()
          .defaultValue("reviews")
          .withDescription("Topic of incoming Review values.");

  public static final ConfigOption<String> RESULTS_TOPIC =
      key("results-topic")
          .stringType()
          .defaultValue("review-analyses")
          .withDescription("Topic for ReviewAnalysis values.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC =
      key("dead-letter-topic")
          .stringType()
          .defaultValue("review-dead-letters")
          .withDescription("Topic for DeadLetter values.");

  public static final ConfigOption<String> GROUP_ID =
      key("group-id")
          .stringType()
          .defaultValue("narrowbert-job")
          .withDescription("Consumer group of the source.");

  public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
      key("transactional-id-prefix")
          .stringType()
          .defaultValue("narrowbert-job")
          .withDescription("Prefix of the sinks' transactional ids; unique per job on a cluster.");

  public static final ConfigOption<Integer> MAX_BATCH_TOKENS =
      key("max-batch-tokens")
          .intType()
          .defaultValue(8192)
          .withDescription(
              "Close a batch before its padded tokens (texts x longest text) pass this.");

  public static final ConfigOption<Integer> MAX_BATCH_SIZE =
      key("max-batch-size")
          .intType()
          .defaultValue(64)
          .withDescription(
              "Close a batch when it holds this many texts. In SQL at most"
                  + " 'table.exec.async-ml-predict.max-concurrent-operations' rows are in flight"
                  + " per subtask, so set that higher (the planner's default is 10).");

  public static final ConfigOption<Duration> MAX_BATCH_DELAY =
      key("max-batch-delay")
          .durationType()
          .defaultValue(Duration.ofMillis(100))
          .withDescription("Close a batch when its oldest text has waited this long.");

  public static final ConfigOption<Integer> MAX_TEXT_BYTES =
      key("max-text-bytes")
          .intType()
          .defaultValue(100_000)
          .withDescription(
              "Texts longer than this in UTF-8 are not analysed: the job dead-letters them"
                  + " (TEXT_TOO_LONG), ML_PREDICT gives them NULL outputs.");

  public static final ConfigOption<String> MODEL =
      key("model")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Model directory (config.json, vocab.txt, model.params) on every TaskManager;"
                  + " required by flink run, while narrowbert job and SQL default to the shipped"
                  + " models/default.");

  public static final ConfigOption<String> DEVICE =
      key("device")
          .stringType()
          .defaultValue("auto")
          .withDescription(
              "auto, cpu, gpu or gpu:N; with auto or gpu a subtask uses the GPU Flink assigned it"
                  + " (external resource 'gpu').");

  public static final ConfigOption<String> PRECISION =
      key("precision")
          .stringType()
          .defaultValue("fp32")
          .withDescription("fp32, or fp16 (half the memory; fast on GPUs).");

  public static final ConfigOption<Boolean> ENTITY_GATE =
      key("entity-gate")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Entity queries only for the words the model's entity gate passes (false: every"
                  + " word; a model without a gate queries every word).");

  public static final ConfigOption<Integer> PARALLELISM =
      key("parallelism")
          .intType()
          .defaultValue(0)
          .withDescription("Job parallelism; 0 keeps the environment's default.");

  public static final ConfigOption<Integer> INFERENCE_THREADS =
      key("inference-threads")
          .intType()
          .defaultValue(0)
          .withDescription(
              "PyTorch threads per subtask; 0 = cores / subtasks (on a cluster set cores /"
                  + " slots).");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      key("checkpoint-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Checkpoint period; read_committed consumers see the results at each checkpoint.");

  public static final ConfigOption<Boolean> BOUNDED =
      key("bounded")
          .booleanType()
          .defaultValue(false)
          .withDescription("Stop at the end offsets the topic has when the job starts.");

  public static final ConfigOption<Boolean> REBALANCE =
      key("rebalance")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Spread reviews over all subtasks; turn off when the topic has at least as many"
                  + " partitions as the job has subtasks.");

  /** Every option, in the order help and docs list them. */
  public static final List<ConfigOption<?>> ALL =
      List.of(
          BOOTSTRAP_SERVERS,
          REVIEWS_TOPIC,
          RESULTS_TOPIC,
          DEAD_LETTER_TOPIC,
          GROUP_ID,
          TRANSACTIONAL_ID_PREFIX,
          MAX_BATCH_TOKENS,
          MAX_BATCH_SIZE,
          MAX_BATCH_DELAY,
          MAX_TEXT_BYTES,
          MODEL,
          DEVICE,
          PRECISION,
          ENTITY_GATE,
          PARALLELISM,
          INFERENCE_THREADS,
          CHECKPOINT_INTERVAL,
          BOUNDED,
          REBALANCE);

  /** The keys of {@link #ALL}, in order. */
  public static final List<String> KEYS = ALL.stream().map(ConfigOption::key).toList();

  /** Keys with this prefix are Kafka client properties, passed on without it. */
  public static final String KAFKA_PREFIX = "kafka.";

  /** What the {@value #KAFKA_PREFIX}{@code *} keys do. */
  public static final String KAFKA_DESCRIPTION =
      "Any Kafka client property, without the prefix, for every Kafka client of the job (e.g."
          + " kafka.security.protocol=SSL); secrets reach the clients only, never a log line or"
          + " the web UI.";

  private JobOptions() {}

  /** The option with this key, if there is one. */
  public static Optional<ConfigOption<?>> byKey(String key) {
    return ALL.stream().filter(option -> option.key().equals(key)).findFirst();
  }

  /** The option's description as plain text. */
  public static String description(ConfigOption<?> option) {
    return new HtmlFormatter().format(option.description());
  }

  /**
   * The option's default as it would be written in a setting ({@code 100 ms}, not {@code PT0.1S}),
   * or empty when it has none.
   */
  public static Optional<String> defaultText(ConfigOption<?> option) {
    if (!option.hasDefaultValue()) {
      return Optional.empty();
    }
    Configuration config = new Configuration();
    config.set(anyType(option), option.defaultValue());
    return Optional.of(config.toMap().get(option.key()));
  }

  /**
   * The value of {@code option} in {@code config}: its default when absent ({@code null} when it
   * has none), the value itself when typed, or its text (stripped if need be) converted to the
   * option's type.
   *
   * @throws IllegalArgumentException naming the key and the form it expects
   */
  public static <T> T get(Configuration config, ConfigOption<T> option) {
    try {
      return config.get(option);
    } catch (IllegalArgumentException e) {
      String text = config.toMap().get(option.key());
      if (!text.strip().equals(text)) {
        return parse(option, text.strip()); // a properties file keeps trailing blanks
      }
      throw new IllegalArgumentException(
          option.key() + " must be " + expected(option) + ", got '" + text + "'", e);
    }
  }

  /**
   * {@code text}, as a value of {@code option}'s type, with {@link #get}'s message if it is not.
   */
  public static <T> T parse(ConfigOption<T> option, String text) {
    return get(Configuration.fromMap(Map.of(option.key(), text)), option);
  }

  private static String expected(ConfigOption<?> option) {
    Object example = option.hasDefaultValue() ? option.defaultValue() : "";
    if (example instanceof Integer) {
      return "a whole number";
    } else if (example instanceof Duration) {
      return "a duration like 100ms or 10s";
    } else if (example instanceof Boolean) {
      return "true or false";
    }
    return "a " + example.getClass().getSimpleName();
  }

  @SuppressWarnings("unchecked")
  private static ConfigOption<Object> anyType(ConfigOption<?> option) {
    return (ConfigOption<Object>) option;
  }
}
