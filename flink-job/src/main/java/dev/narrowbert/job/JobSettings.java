package dev.narrowbert.job;

import dev.narrowbert.inference.Precision;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Every setting of the streaming job, parsed and validated once.
 *
 * <p>Settings come from {@code --key value} arguments and, with {@code --config FILE}, from a
 * properties file (arguments win). {@code kafka.*} keys are passed through, without the prefix, to
 * every Kafka client of the job (source and both sinks), so TLS or SASL settings need no code
 * change. Unknown keys are rejected, so a typo fails at start instead of being ignored. Secrets
 * among them (passwords, keys, JAAS configs) reach the Kafka clients but never Flink's job
 * parameters, the web UI or a log line: see {@link #toRedactedMap()}.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers} (key {@code bootstrap-servers}; required)
 * @param reviewsTopic topic of incoming {@code Review} values ({@code reviews-topic}, default
 *     reviews)
 * @param resultsTopic topic for {@code ReviewAnalysis} values ({@code results-topic}, default
 *     review-analyses)
 * @param deadLetterTopic topic for {@code DeadLetter} values ({@code dead-letter-topic}, default
 *     review-dead-letters)
 * @param groupId consumer group of the source ({@code group-id}, default narrowbert-job)
 * @param transactionalIdPrefix prefix of the sinks' Kafka transactional ids; unique per job on a
 *     cluster ({@code transactional-id-prefix}, default narrowbert-job)
 * @param maxBatchTokens a batch closes when its padded token cost (size x longest review) would
 *     pass this ({@code max-batch-tokens}, default 8192)
 * @param maxBatchSize a batch closes when it holds this many reviews ({@code max-batch-size},
 *     default 64)
 * @param maxBatchDelay a batch closes when its oldest review has waited this long ({@code
 *     max-batch-delay}, default 100 ms)
 * @param maxTextBytes reviews whose text is longer in UTF-8 go to the dead-letter topic ({@code
 *     max-text-bytes}, default 100000)
 * @param modelDirectory the model directory ({@code model}; required)
 * @param device {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N} ({@code device}, default
 *     auto)
 * @param precision number format at inference, {@code fp32} or {@code fp16} ({@code precision},
 *     default fp32)
 * @param entityGate query only the words the model's entity gate passes for NER ({@code
 *     entity-gate}, default true; a model without a gate queries every word)
 * @param parallelism job parallelism; 0 keeps the environment's default ({@code parallelism})
 * @param inferenceThreads PyTorch threads per subtask's model; 0 gives each subtask an equal share
 *     of the machine's cores ({@code inference-threads}, default 0)
 * @param checkpointInterval how often to checkpoint; results become visible to {@code
 *     read_committed} consumers at each checkpoint ({@code checkpoint-interval}, default 10 s)
 * @param bounded stop at the end offsets the topic has when the job starts ({@code bounded},
 *     default false)
 * @param rebalance spread validated reviews over all subtasks; turn off when the topic has at least
 *     as many partitions as the job has subtasks ({@code rebalance}, default true)
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

  private static final String KAFKA_PREFIX = "kafka.";

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
        java.nio.file.Files.isDirectory(modelDirectory),
        "model directory " + modelDirectory + " does not exist");
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
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      require(arg.startsWith("--") && arg.length() > 2, "expected --key value, got '" + arg + "'");
      String key = arg.substring(2);
      boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
      values.put(key, hasValue ? args[++i] : "true");
    }
    String config = values.remove("config");
    if (config != null) {
      Map<String, String> merged = readProperties(Path.of(config));
      merged.putAll(values);
      values = merged;
    }
    return fromMap(values);
  }

  /** Builds settings from key/value pairs, filling in the defaults. */
  public static JobSettings fromMap(Map<String, String> given) {
    Map<String, String> kafka = new TreeMap<>();
    Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
    for (Map.Entry<String, String> entry : given.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length()) {
        kafka.put(key.substring(KAFKA_PREFIX.length()), entry.getValue());
      } else {
        require(
            DEFAULTS.containsKey(key),
            "unknown setting '" + key + "'; known: " + String.join(", ", DEFAULTS.keySet()));
        values.put(key, entry.getValue());
      }
    }
    String model = values.get("model");
    return new JobSettings(
        values.get("bootstrap-servers"),
        values.get("reviews-topic"),
        values.get("results-topic"),
        values.get("dead-letter-topic"),
        values.get("group-id"),
        values.get("transactional-id-prefix"),
        integer(values, "max-batch-tokens"),
        integer(values, "max-batch-size"),
        duration(values, "max-batch-delay"),
        integer(values, "max-text-bytes"),
        model == null ? null : Path.of(model),
        values.get("device"),
        Precision.parse(values.get("precision")),
        bool(values, "entity-gate"),
        integer(values, "parallelism"),
        integer(values, "inference-threads"),
        duration(values, "checkpoint-interval"),
        bool(values, "bounded"),
        bool(values, "rebalance"),
        kafka);
  }

  /** These settings as key/value pairs (the form of Flink's global job parameters). */
  public Map<String, String> toMap() {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("bootstrap-servers", bootstrapServers);
    map.put("reviews-topic", reviewsTopic);
    map.put("results-topic", resultsTopic);
    map.put("dead-letter-topic", deadLetterTopic);
    map.put("group-id", groupId);
    map.put("transactional-id-prefix", transactionalIdPrefix);
    map.put("max-batch-tokens", String.valueOf(maxBatchTokens));
    map.put("max-batch-size", String.valueOf(maxBatchSize));
    map.put("max-batch-delay", TimeUtils.formatWithHighestUnit(maxBatchDelay));
    map.put("max-text-bytes", String.valueOf(maxTextBytes));
    map.put("model", modelDirectory.toString());
    map.put("device", device);
    map.put("precision", precision.name().toLowerCase(java.util.Locale.ROOT));
    map.put("entity-gate", String.valueOf(entityGate));
    map.put("parallelism", String.valueOf(parallelism));
    map.put("inference-threads", String.valueOf(inferenceThreads));
    map.put("checkpoint-interval", TimeUtils.formatWithHighestUnit(checkpointInterval));
    map.put("bounded", String.valueOf(bounded));
    map.put("rebalance", String.valueOf(rebalance));
    kafkaProperties.forEach((key, value) -> map.put(KAFKA_PREFIX + key, value));
    return map;
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

  /** One documented key: its default ({@code null} when required) and what it means. */
  public record Setting(String key, String defaultValue, String description) {}

  /** Every key, in the order {@code narrowbert job --help} lists them. */
  public static final List<Setting> SETTINGS =
      List.of(
          new Setting("bootstrap-servers", null, "Kafka bootstrap.servers (required)"),
          new Setting("reviews-topic", "reviews", "topic of incoming Review values"),
          new Setting("results-topic", "review-analyses", "topic for ReviewAnalysis values"),
          new Setting("dead-letter-topic", "review-dead-letters", "topic for DeadLetter values"),
          new Setting("group-id", "narrowbert-job", "consumer group of the source"),
          new Setting(
              "transactional-id-prefix",
              "narrowbert-job",
              "prefix of the sinks' transactional ids; unique per job on a cluster"),
          new Setting(
              "max-batch-tokens", "8192", "close a batch before its padded tokens pass this"),
          new Setting("max-batch-size", "64", "close a batch when it holds this many reviews"),
          new Setting(
              "max-batch-delay", "100 ms", "close a batch when its oldest review waited this long"),
          new Setting("max-text-bytes", "100000", "dead-letter reviews whose UTF-8 text is longer"),
          new Setting("model", null, "model directory (default: the shipped models/default)"),
          new Setting("device", "auto", "auto, cpu, gpu or gpu:N"),
          new Setting("precision", "fp32", "fp32, or fp16 (half the memory; fast on GPUs)"),
          new Setting(
              "entity-gate",
              "true",
              "NER queries only for the words the model's entity gate passes (false: every word)"),
          new Setting("parallelism", "0", "job parallelism; 0 keeps the environment's default"),
          new Setting(
              "inference-threads",
              "0",
              "PyTorch threads per subtask; 0 = cores / subtasks (set cores / slots on a cluster)"),
          new Setting(
              "checkpoint-interval",
              "10 s",
              "checkpoint period; read_committed consumers see results at each"),
          new Setting("bounded", "false", "stop at the topic's end offsets as of the job's start"),
          new Setting(
              "rebalance",
              "true",
              "spread reviews over all subtasks; off when partitions >= parallelism"),
          new Setting(
              "kafka.*", null, "any Kafka client property, e.g. kafka.security.protocol=SSL"));

  /** The keys and their defaults ({@code null}: required, no default). */
  public static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    for (Setting setting : SETTINGS) {
      if (!setting.key().endsWith("*")) {
        defaults.put(setting.key(), setting.defaultValue());
      }
    }
    return java.util.Collections.unmodifiableMap(defaults);
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

  private static Map<String, String> readProperties(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e, e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
    return values;
  }

  private static int integer(Map<String, String> values, String key) {
    try {
      return Integer.parseInt(values.get(key).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + " must be a whole number, got '" + values.get(key) + "'");
    }
  }

  private static Duration duration(Map<String, String> values, String key) {
    try {
      return TimeUtils.parseDuration(values.get(key));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          key + " must be a duration like 100ms or 10s, got '" + values.get(key) + "'");
    }
  }

  private static boolean bool(Map<String, String> values, String key) {
    String value = values.get(key).strip();
    require(
        value.equals("true") || value.equals("false"),
        key + " must be true or false, got '" + value + "'");
    return Boolean.parseBoolean(value);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
