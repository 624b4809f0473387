package dev.narrowbert.training;

import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr (me.tongfei progressbar) showing step, ETA and, as its extra message,
 * the loss and tokens per second averaged since the last update.
 */
public final class TrainingProgress implements AutoCloseable {

  private final ProgressBar bar;
  private long tokensSinceUpdate;
  private long lastUpdateNanos = System.nanoTime();
  private double tokensPerSecond;

  public TrainingProgress(String task, long totalSteps, long startStep) {
    bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(totalSteps)
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new ConsoleProgressBarConsumer(System.err, 120))
            .setUpdateIntervalMillis(2000)
            .showSpeed()
            .setUnit(" steps", 1)
            .startsFrom(startStep, Duration.ZERO)
            .build();
  }

  /** Records a finished step that processed {@code tokens} tokens. */
  public void step(long step, float loss, long tokens) {
    tokensSinceUpdate += tokens;
    long now = System.nanoTime();
    double seconds = (now - lastUpdateNanos) / 1e9;
    if (seconds >= 2) {
      tokensPerSecond = tokensSinceUpdate / seconds;
      tokensSinceUpdate = 0;
      lastUpdateNanos = now;
    }
    bar.stepTo(step);
    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f, %.0f tok/s", loss, tokensPerSecond));
  }

  /** Tokens per second over the last couple of seconds. */
  public double tokensPerSecond() {
    return tokensPerSecond;
  }

  @Override
  public void close() {
    bar.close();
  }
}
