package dev.narrowbert.sql;

import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.job.JobOptions;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

/**
 * The options of a {@code narrowbert} model, {@code CREATE MODEL ... WITH ('provider' =
 * 'narrowbert', ...)}, parsed and validated once when the planner creates the provider. The options
 * are the streaming job's model, inference and batching options, declared once in {@link
 * JobOptions} with their defaults and descriptions.
 *
 * <p>Each component is the value of the {@link JobOptions} option of the same name.
 *
 * @param modelDirectory absolute path of the model directory; it must exist where the tasks run
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

  /** Every option besides 'provider'. */
  public static final Set<ConfigOption<?>> ALL =
      Set.of(
          JobOptions.MODEL,
          JobOptions.DEVICE,
          JobOptions.PRECISION,
          JobOptions.ENTITY_GATE,
          JobOptions.MAX_BATCH_TOKENS,
          JobOptions.MAX_BATCH_SIZE,
          JobOptions.MAX_BATCH_DELAY,
          JobOptions.MAX_TEXT_BYTES,
          JobOptions.INFERENCE_THREADS);

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
          DefaultModel.orDefault(options.getOptional(JobOptions.MODEL).map(Path::of).orElse(null))
              .toAbsolutePath()
              .normalize();
    } catch (IllegalArgumentException e) {
      throw new ValidationException(e.getMessage().replace("--model", "'model'"), e);
    }
    require(Files.isDirectory(directory), "'model' directory " + directory + " does not exist");
    Precision precision;
    try {
      precision = Precision.parse(options.get(JobOptions.PRECISION));
    } catch (IllegalArgumentException e) {
      throw new ValidationException("'precision': " + e.getMessage(), e);
    }
    return new NarrowbertModelOptions(
        directory.toString(),
        options.get(JobOptions.DEVICE),
        precision,
        options.get(JobOptions.ENTITY_GATE),
        options.get(JobOptions.MAX_BATCH_TOKENS),
        options.get(JobOptions.MAX_BATCH_SIZE),
        options.get(JobOptions.MAX_BATCH_DELAY),
        options.get(JobOptions.MAX_TEXT_BYTES),
        options.get(JobOptions.INFERENCE_THREADS));
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new ValidationException(message);
    }
  }
}
