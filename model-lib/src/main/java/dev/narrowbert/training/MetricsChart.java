package dev.narrowbert.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Draws curves from a {@link MetricsLog} beside each checkpoint. The training loops only say what
 * to draw; the drawing (an XChart PNG) lives with the commands in the {@code tools} module, so the
 * library and the job jar carry no charting code.
 */
@FunctionalInterface
public interface MetricsChart {

  /** Draws nothing: the default of every training loop. */
  MetricsChart NONE = (png, title, log, series) -> {};

  /**
   * @param png the file to write
   * @param series legend name -> metric name in the log, e.g. {"train loss" -> "loss"}
   */
  void draw(Path png, String title, MetricsLog log, Map<String, String> series) throws IOException;
}
