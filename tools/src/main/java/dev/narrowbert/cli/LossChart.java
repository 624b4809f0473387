package dev.narrowbert.cli;

import dev.narrowbert.training.MetricsLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws loss curves from a {@link MetricsLog} as a PNG (XChart {@code BitmapEncoder}), written
 * beside each checkpoint so a run can be judged at a glance. Runs headless.
 */
public final class LossChart {

  private LossChart() {}

  /**
   * @param png the file to write (its {@code .png} suffix is added by XChart if missing)
   * @param series legend name -> metric name in the log, e.g. {"train loss" -> "loss"}
   */
  public static void write(Path png, String title, MetricsLog log, Map<String, String> series)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title(title)
            .xAxisTitle("step")
            .yAxisTitle("loss (and validation score)")
            .build();
    chart.getStyler().setLegendVisible(true);
    boolean any = false;
    for (Map.Entry<String, String> s : series.entrySet()) {
      double[][] xy = log.series(s.getValue());
      if (xy[0].length > 0) {
        // Dense series as lines; sparse ones (held-out evaluations) need visible points.
        chart
            .addSeries(s.getKey(), xy[0], xy[1])
            .setMarker(xy[0].length > 50 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        any = true;
      }
    }
    if (!any) {
      chart.addSeries("no data yet", new double[] {0}, new double[] {0});
    }
    String name = png.toString();
    String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
  }
}
