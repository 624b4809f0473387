package dev.narrowbert.bench;

import dev.narrowbert.job.JobSettings;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The job settings that the streaming benchmarks ({@code bench pipeline}, {@code bench sql}) let
 * the user vary (a picocli mixin), and the job as they run it: one CPU subtask with that batch size
 * and checkpoint interval.
 */
public final class StreamingJobOptions {

  @Option(
      names = "--batch-size",
      defaultValue = "64",
      description =
          "max-batch-size of the job and of what it is compared with (the bare runs, the SQL"
              + " model).")
  int batchSize;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "10 s",
      description =
          "The job's checkpoint interval (default: the job's own, ${DEFAULT-VALUE}). The batcher"
              + " flushes before every barrier, so a short interval means smaller batches.")
  String checkpointInterval;

  /** The job as the streaming benchmarks run it: one CPU subtask, this batch and interval. */
  JobSettings jobSettings(String bootstrapServers, Path modelDirectory) {
    return JobSettings.fromMap(
        Map.of(
            "bootstrap-servers",
            bootstrapServers,
            "model",
            modelDirectory.toString(),
            "device",
            "cpu",
            "parallelism",
            "1",
            "max-batch-size",
            String.valueOf(batchSize),
            "checkpoint-interval",
            checkpointInterval));
  }
}
