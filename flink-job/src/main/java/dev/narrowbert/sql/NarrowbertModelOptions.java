package dev.narrowbert.sql;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.job.JobSettings;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.util.TimeUtils;

/**
 * The options of a {@code narrowbert} model, {@code CREATE MODEL ... WITH ('provider' =
 * 'narrowbert', ...)}, parsed and validated once when the planner creates the provider. The
 * batching options and their defaults are the streaming job's ({@link JobSettings}).
 *
 * @param modelDirectory absolute path of the model directory; it must exist where the tasks run
 * @param device {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param precision number format at inference
 * @param entityGate NER queries only for the words the model's entity gate passes
 * @param maxBatchTokens a batch closes before its padded tokens pass this
 * @param maxBatchSize a batch closes when it holds this many rows
 * @param maxBatchDelay a batch closes when its oldest row has waited this long
 * @param maxTextBytes longer texts (UTF-8) are not analysed: their output columns are NULL
 * @param inferenceThreads PyTorch threads per subtask; 0 for an equal share of the cores
 */
public record NarrowbertModelOptions(
    String modelDirectory,
    String device,
    Precision precision,
    boolean entityGate,
    int maxBatchTokens,
    int maxBatchSize,
    Duration maxBatchDelay,
    int maxTextBytes,
    int inferenceThreads)
    implements Serializable {

  public static final ConfigOption<String> MODEL =
      key("model")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Model directory (config.json, vocab.txt, model.params) on every TaskManager;"
                  + " default: the shipped models/default.");

  public static final ConfigOption<String> DEVICE =
      key("device")
          .stringType()
          .defaultValue(JobSettings.DEFAULTS.get("device"))
          .withDescription(
              "auto, cpu, gpu or gpu:N; with auto or gpu a subtask uses the GPU Flink assigned it"
                  + " (external resource 'gpu').");

  public static final ConfigOption<String> PRECISION =
      key("precision")
          .stringType()
          .defaultValue(JobSettings.DEFAULTS.get("precision"))
          .withDescription("fp32, or fp16 (half the memory; fast on GPUs).");

  public static final ConfigOption<Boolean> ENTITY_GATE =
      key("entity-gate")
          .booleanType()
          .defaultValue(Boolean.parseBoolean(JobSettings.DEFAULTS.get("entity-gate")))
          .withDescription(
              "Entity queries only for the words the model's entity gate passes (false: every"
                  + " word; a model without a gate queries every word).");

  public static final ConfigOption<Integer> MAX_BATCH_TOKENS =
      key("max-batch-tokens")
          .intType()
          .defaultValue(Integer.parseInt(JobSettings.DEFAULTS.get("max-batch-tokens")))
          .withDescription("Close a batch before its padded tokens (rows x longest) pass this.");

  public static final ConfigOption<Integer> MAX_BATCH_SIZE =
      key("max-batch-size")
          .intType()
          .defaultValue(Integer.parseInt(JobSettings.DEFAULTS.get("max-batch-size")))
          .withDescription(
              "Close a batch when it holds this many rows. At most"
                  + " 'table.exec.async-ml-predict.max-concurrent-operations' rows are in flight"
                  + " per subtask, so set that higher (the planner's default is 10).");

  public static final ConfigOption<Duration> MAX_BATCH_DELAY =
      key("max-batch-delay")
          .durationType()
          .defaultValue(TimeUtils.parseDuration(JobSettings.DEFAULTS.get("max-batch-delay")))
          .withDescription("Close a batch when its oldest row has waited this long.");

  public static final ConfigOption<Integer> MAX_TEXT_BYTES =
      key("max-text-bytes")
          .intType()
          .defaultValue(Integer.parseInt(JobSettings.DEFAULTS.get("max-text-bytes")))
          .withDescription("Texts longer than this in UTF-8 are not analysed (NULL outputs).");

  public static final ConfigOption<Integer> INFERENCE_THREADS =
      key("inference-threads")
          .intType()
          .defaultValue(Integer.parseInt(JobSettings.DEFAULTS.get("inference-threads")))
          .withDescription("PyTorch threads per subtask; 0 = cores / subtasks.");

  /** Every option besides 'provider'. */
  public static final Set<ConfigOption<?>> ALL =
      Set.of(
          MODEL,
          DEVICE,
          PRECISION,
          ENTITY_GATE,
          MAX_BATCH_TOKENS,
          MAX_BATCH_SIZE,
          MAX_BATCH_DELAY,
          MAX_TEXT_BYTES,
          INFERENCE_THREADS);

  public NarrowbertModelOptions {
    require(
        device.matches("auto|cpu|gpu|gpu:\\d+"),
        "'device' must be auto, cpu, gpu or gpu:N, got '" + device + "'");
    require(maxBatchTokens > 0, "'max-batch-tokens' must be positive, got " + maxBatchTokens);
    require(maxBatchSize > 0, "'max-batch-size' must be positive, got " + maxBatchSize);
    require(
        !maxBatchDelay.isNegative() && !maxBatchDelay.isZero(),
        "'max-batch-delay' must be positive, got " + maxBatchDelay);
    require(maxTextBytes > 0, "'max-text-bytes' must be positive, got " + maxTextBytes);
    require(
        inferenceThreads >= 0,
        "'inference-threads' must be 0 (a share of the cores) or positive, got "
            + inferenceThreads);
  }

  /**
   * Reads the options of a model (already checked for unknown keys by the factory helper).
   *
   * @throws ValidationException naming the bad option
   */
  public static NarrowbertModelOptions from(ReadableConfig options) {
    Path directory;
    try {
      directory =
          DefaultModel.orDefault(options.getOptional(MODEL).map(Path::of).orElse(null))
              .toAbsolutePath()
              .normalize();
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage().replace("--model", "'model'"), e);
    }
    require(Files.isDirectory(directory), "'model' directory " + directory + " does not exist");
    Precision precision;
    try {
      precision = Precision.parse(options.get(PRECISION));
    } catch (IllegalArgumentException e) {
      throw new ValidationException("'precision': " + e.getMessage(), e);
    }
    return new NarrowbertModelOptions(
        directory.toString(),
        options.get(DEVICE),
        precision,
        options.get(ENTITY_GATE),
        options.get(MAX_BATCH_TOKENS),
        options.get(MAX_BATCH_SIZE),
        options.get(MAX_BATCH_DELAY),
        options.get(MAX_TEXT_BYTES),
        options.get(INFERENCE_THREADS));
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new ValidationException(message);
    }
  }
}
