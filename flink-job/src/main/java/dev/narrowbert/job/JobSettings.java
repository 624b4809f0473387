package dev.narrowbert.job;

import dev.narrowbert.inference.Precision;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Every setting of the streaming job, parsed and validated once.
 *
 * <p>The settings are declared in {@link JobOptions} (key, type, default, description); each
 * component here is the value of the option of the same name ({@code maxBatchDelay} of {@link
 * JobOptions#MAX_BATCH_DELAY}), checked beyond its type. They come from a Flink {@link
 * Configuration}: {@code --key value} arguments and, with {@code --config FILE}, a properties file
 * (arguments win), or typed values that {@code narrowbert job} sets. {@code kafka.*} keys are
 * passed through, without the prefix, to every Kafka client of the job (source and both sinks), so
 * TLS or SASL settings need no code change. Unknown keys are rejected, so a typo fails at start
 * instead of being ignored. Secrets among them (passwords, keys, JAAS configs) reach the Kafka
 * clients but never Flink's job parameters, the web UI or a log line: see {@link #toRedactedMap()}.
 *
 * @param kafkaProperties pass-through Kafka client properties ({@code kafka.*})
 */
public record JobSettings(
    String bootstrapServers,
    String reviewsTopic,
    String resultsTopic,
    String deadLetterTopic,
    String groupId,
    String transactionalIdPrefix,
    int maxBatchTokens,
    int maxBatchSize,
    Duration maxBatchDelay,
    int maxTextBytes,
    Path modelDirectory,
    String device,
    Precision precision,
    boolean entityGate,
    int parallelism,
    int inferenceThreads,
    Duration checkpointInterval,
    boolean bounded,
    boolean rebalance,
    Map<String, String> kafkaProperties) {

  private static final String KAFKA_PREFIX = JobOptions.KAFKA_PREFIX;

  /** What a secret's value is replaced with wherever settings are shown (as Flink does). */
  public static final String HIDDEN = GlobalConfiguration.HIDDEN_CONTENT;

  /** Kafka client settings of type PASSWORD: the ones Kafka itself logs as {@code [hidden]}. */
  private static final Set<String> KAFKA_SECRETS = kafkaSecrets();

  public JobSettings {
    kafkaProperties = Map.copyOf(kafkaProperties);
    require(
        bootstrapServers != null && !bootstrapServers.isBlank(), "bootstrap-servers is required");
    require(modelDirectory != null, "model is required (a model directory)");
    require(
        Files.isDirectory(modelDirectory), "model directory " + modelDirectory + " does not exist");
    require(maxBatchTokens > 0, "max-batch-tokens must be positive, got " + maxBatchTokens);
    require(maxBatchSize > 0, "max-batch-size must be positive, got " + maxBatchSize);
    require(
        !maxBatchDelay.isNegative() && !maxBatchDelay.isZero(),
        "max-batch-delay must be positive, got " + maxBatchDelay);
    require(maxTextBytes > 0, "max-text-bytes must be positive, got " + maxTextBytes);
    require(parallelism >= 0, "parallelism must be 0 (default) or positive, got " + parallelism);
    require(
        inferenceThreads >= 0,
        "inference-threads must be 0 (a share of the cores) or positive, got " + inferenceThreads);
    require(
        checkpointInterval.toMillis() >= 10,
        "checkpoint-interval must be at least 10 ms, got " + checkpointInterval);
    require(
        device.matches("auto|cpu|gpu|gpu:\\d+"),
        "device must be auto, cpu, gpu or gpu:N, got '" + device + "'");
    for (String topic : new String[] {reviewsTopic, resultsTopic, deadLetterTopic}) {
      require(topic != null && !topic.isBlank(), "topic names must not be empty");
    }
  }

  /**
   * Parses {@code --key value} arguments (and the properties file named by {@code --config}).
   *
   * @throws IllegalArgumentException naming the bad key or value
   */
  public static JobSettings fromArgs(String[] args) {
    return from(arguments(List.of(args)));
  }

  /** Builds settings from key/value pairs, filling in the defaults. */
  public static JobSettings fromMap(Map<String, String> given) {
    return from(Configuration.fromMap(given));
  }

  /**
   * Builds settings from {@code config}, whose values may be text or already of their option's
   * type, filling in the defaults.
   *
   * @throws IllegalArgumentException naming the bad key or value
   */
  public static JobSettings from(Configuration config) {
    Map<String, String> kafka = new TreeMap<>();
    Map<String, String> values = config.toMap();
    for (String key : new TreeSet<>(config.keySet())) {
      if (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length()) {
        kafka.put(key.substring(KAFKA_PREFIX.length()), values.get(key));
      } else {
        require(
            JobOptions.KEYS.contains(key),
            "unknown setting '" + key + "'; known: " + String.join(", ", JobOptions.KEYS));
      }
    }
    String model = JobOptions.get(config, JobOptions.MODEL);
    return new JobSettings(
        JobOptions.get(config, JobOptions.BOOTSTRAP_SERVERS),
        JobOptions.get(config, JobOptions.REVIEWS_TOPIC),
        JobOptions.get(config, JobOptions.RESULTS_TOPIC),
        JobOptions.get(config, JobOptions.DEAD_LETTER_TOPIC),
        JobOptions.get(config, JobOptions.GROUP_ID),
        JobOptions.get(config, JobOptions.TRANSACTIONAL_ID_PREFIX),
        JobOptions.get(config, JobOptions.MAX_BATCH_TOKENS),
        JobOptions.get(config, JobOptions.MAX_BATCH_SIZE),
        JobOptions.get(config, JobOptions.MAX_BATCH_DELAY),
        JobOptions.get(config, JobOptions.MAX_TEXT_BYTES),
        model == null ? null : Path.of(model),
        JobOptions.get(config, JobOptions.DEVICE),
        Precision.parse(JobOptions.get(config, JobOptions.PRECISION)),
        JobOptions.get(config, JobOptions.ENTITY_GATE),
        JobOptions.get(config, JobOptions.PARALLELISM),
        JobOptions.get(config, JobOptions.INFERENCE_THREADS),
        JobOptions.get(config, JobOptions.CHECKPOINT_INTERVAL),
        JobOptions.get(config, JobOptions.BOUNDED),
        JobOptions.get(config, JobOptions.REBALANCE),
        kafka);
  }

  /**
   * The settings that {@code --key value} arguments give, as text: a key without a value is {@code
   * true}, and {@code --config FILE} adds the settings of a properties file, which the arguments
   * override.
   *
   * @throws IllegalArgumentException when an argument is not {@code --key} or the file unreadable
   */
  public static Configuration arguments(List<String> args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      require(arg.startsWith("--") && arg.length() > 2, "expected --key value, got '" + arg + "'");
      boolean hasValue = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
      values.put(arg.substring(2), hasValue ? args.get(++i) : "true");
    }
    String file = values.remove("config");
    Configuration config = file == null ? new Configuration() : readConfigFile(Path.of(file));
    config.addAll(Configuration.fromMap(values));
    return config;
  }

  /**
   * The settings of a properties file, as text.
   *
   * @throws IllegalArgumentException when it cannot be read
   */
  public static Configuration readConfigFile(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e, e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
    return Configuration.fromMap(values);
  }

  /** These settings as key/value pairs (the form of Flink's global job parameters). */
  public Map<String, String> toMap() {
    Map<String, String> values = toConfiguration().toMap();
    Map<String, String> map = new LinkedHashMap<>();
    JobOptions.KEYS.forEach(key -> map.put(key, values.get(key)));
    new TreeMap<>(kafkaProperties).forEach((key, value) -> map.put(KAFKA_PREFIX + key, value));
    return map;
  }

  /** These settings, typed, in a Flink configuration ({@code kafka.*} keys as text). */
  private Configuration toConfiguration() {
    Configuration config = new Configuration();
    config.set(JobOptions.BOOTSTRAP_SERVERS, bootstrapServers);
    config.set(JobOptions.REVIEWS_TOPIC, reviewsTopic);
    config.set(JobOptions.RESULTS_TOPIC, resultsTopic);
    config.set(JobOptions.DEAD_LETTER_TOPIC, deadLetterTopic);
    config.set(JobOptions.GROUP_ID, groupId);
    config.set(JobOptions.TRANSACTIONAL_ID_PREFIX, transactionalIdPrefix);
    config.set(JobOptions.MAX_BATCH_TOKENS, maxBatchTokens);
    config.set(JobOptions.MAX_BATCH_SIZE, maxBatchSize);
    config.set(JobOptions.MAX_BATCH_DELAY, maxBatchDelay);
    config.set(JobOptions.MAX_TEXT_BYTES, maxTextBytes);
    config.set(JobOptions.MODEL, modelDirectory.toString());
    config.set(JobOptions.DEVICE, device);
    config.set(JobOptions.PRECISION, precision.name().toLowerCase(Locale.ROOT));
    config.set(JobOptions.ENTITY_GATE, entityGate);
    config.set(JobOptions.PARALLELISM, parallelism);
    config.set(JobOptions.INFERENCE_THREADS, inferenceThreads);
    config.set(JobOptions.CHECKPOINT_INTERVAL, checkpointInterval);
    config.set(JobOptions.BOUNDED, bounded);
    config.set(JobOptions.REBALANCE, rebalance);
    kafkaProperties.forEach((key, value) -> config.setString(KAFKA_PREFIX + key, value));
    return config;
  }

  /**
   * {@link #toMap()} with the value of every secret {@code kafka.*} key replaced by {@value
   * #HIDDEN}. The job registers this as its global job parameters, which Flink shows to anyone who
   * can reach its web UI or REST API ({@code /jobs/:id/config}); the Kafka clients get the real
   * values from {@link #kafkaClientProperties()}.
   */
  public Map<String, String> toRedactedMap() {
    Map<String, String> map = toMap();
    kafkaProperties.keySet().stream()
        .filter(JobSettings::isSecret)
        .forEach(key -> map.put(KAFKA_PREFIX + key, HIDDEN));
    return map;
  }

  /**
   * Whether a Kafka client property holds a secret: Kafka declares it a PASSWORD ({@code
   * ssl.keystore.password}, {@code ssl.key.password}, {@code ssl.truststore.password}, {@code
   * ssl.keystore.key}, {@code sasl.jaas.config}, ...), or Flink deems the key sensitive (it
   * contains password, secret, token, jaas.config, ...; {@link GlobalConfiguration#isSensitive}).
   */
  public static boolean isSecret(String kafkaKey) {
    return KAFKA_SECRETS.contains(kafkaKey) || GlobalConfiguration.isSensitive(kafkaKey);
  }

  /** The settings with secrets hidden, so that printing or logging them leaks nothing. */
  @Override
  public String toString() {
    return "JobSettings" + toRedactedMap();
  }

  /** The pass-through Kafka client properties. */
  public Properties kafkaClientProperties() {
    Properties properties = new Properties();
    properties.putAll(kafkaProperties);
    return properties;
  }

  private static Set<String> kafkaSecrets() {
    Set<String> secrets = new TreeSet<>();
    for (ConfigDef definition : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef())) {
      definition
          .configKeys()
          .forEach(
              (key, config) -> {
                if (config.type() == ConfigDef.Type.PASSWORD) {
                  secrets.add(key);
                }
              });
    }
    return Set.copyOf(secrets);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
