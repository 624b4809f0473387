package dev.narrowbert.cli;

import dev.narrowbert.training.BlockSchedule;
import dev.narrowbert.training.BlockSettings;
import dev.narrowbert.training.BlockTrainingState;
import dev.narrowbert.training.MetricsLog;
import dev.narrowbert.training.TrainingCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options that {@code pretrain} and {@code distill} share (a picocli mixin): both train on
 * corpus blocks with a step schedule, held-out evaluation and exact {@code --resume} ({@link
 * dev.narrowbert.training.BlockTraining}). Batch size and learning rate stay with each command,
 * whose defaults differ. Also the one place that decides, from {@code --out} and {@code --resume},
 * where a run starts.
 */
public final class BlockTrainingOptions {

  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  @Option(names = "--steps", defaultValue = "1000", description = "Total optimisation steps.")
  private long steps;

  @Option(names = "--seq-len", defaultValue = "128", description = "Tokens per block.")
  private int sequenceLength;

  @Option(names = "--warmup-steps", description = "Linear warm-up steps (default: 6%% of --steps).")
  private Long warmupSteps;

  @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay.")
  private float weightDecay;

  @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient-norm clip.")
  private float clip;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the block order, the random positions, dropout and new weights.")
  private long seed;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "200",
      description = "Steps between checkpoints and held-out evaluations.")
  private long checkpointEvery;

  @Option(names = "--held-out-blocks", defaultValue = "64", description = "Evaluation blocks.")
  private int heldOutBlocks;

  @Option(names = "--resume", description = "Continue the run in --out from its checkpoint.")
  private boolean resume;

  @Option(
      names = "--stop-after",
      paramLabel = "STEP",
      description = "Checkpoint and stop after this step; continue later with --resume.")
  private Long stopAfter;

  /**
   * The shared settings of a run, with the command's batch size and learning rate; a usage error if
   * any is out of range.
   */
  BlockSchedule schedule(int batchSize, float learningRate) {
    try {
      return new BlockSchedule(
          steps,
          batchSize,
          sequenceLength,
          learningRate,
          warmupSteps(),
          weightDecay,
          clip,
          seed,
          heldOutBlocks,
          checkpointEvery);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /**
   * The step a run into {@code out} starts at: 0 for a fresh run into a directory without a
   * checkpoint, the checkpoint's step for {@code --resume} if the checkpoint's settings continue
   * into {@code settings}; a usage error otherwise. Creates {@code out}.
   */
  <S extends BlockSettings<S>> long startStep(Path out, S settings, Class<S> type)
      throws IOException {
    Files.createDirectories(out);
    if (!resume) {
      if (TrainingCheckpoint.exists(out)) {
        throw usage("--out " + out + " already holds a run: pass --resume or a new DIR");
      }
      return 0;
    }
    if (!TrainingCheckpoint.exists(out)) {
      throw usage("--resume: no checkpoint in " + out);
    }
    BlockTrainingState<S> state = TrainingCheckpoint.readBlockState(out, type);
    if (!state.settings().continues(settings)) {
      throw usage(
          "--resume with different settings: checkpoint has "
              + state.settings()
              + ", command line gives "
              + settings);
    }
    return state.step();
  }

  /** {@code metrics.jsonl} of the run in {@code out}: new, or kept up to {@code startStep}. */
  MetricsLog metrics(Path out, long startStep) throws IOException {
    Path file = out.resolve("metrics.jsonl");
    return resume ? MetricsLog.resume(file, startStep) : MetricsLog.create(file);
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  long steps() {
    return steps;
  }

  int sequenceLength() {
    return sequenceLength;
  }

  /** --warmup-steps, or 6 % of the steps. */
  long warmupSteps() {
    return warmupSteps != null ? warmupSteps : Math.round(steps * 0.06);
  }

  float weightDecay() {
    return weightDecay;
  }

  float clip() {
    return clip;
  }

  long seed() {
    return seed;
  }

  long checkpointEvery() {
    return checkpointEvery;
  }

  int heldOutBlocks() {
    return heldOutBlocks;
  }

  boolean resume() {
    return resume;
  }

  /** The last step to run in this process. */
  long stopAfter() {
    return stopAfter == null ? Long.MAX_VALUE : stopAfter;
  }
}
