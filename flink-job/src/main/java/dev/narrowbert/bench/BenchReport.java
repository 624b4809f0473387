package dev.narrowbert.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Writes a benchmark's result three ways: the JSON file the user named, a Markdown table and a PNG
 * bar chart (XChart) beside it, with the same stem ({@code results.json} -> {@code results.md},
 * {@code results.png}).
 */
public final class BenchReport {
  private final String title;
  private final String unit;
  private final Map<String, Double> rates = new LinkedHashMap<>();

  public BenchReport(String title, String unit) {
    this.title = title;
    this.unit = unit;
  }

  /** One bar of the chart and row of the table: a median rate. */
  public BenchReport rate(String name, double value) {
    rates.put(name, value);
    return this;
  }

  /** Writes {@code json} to {@code out}, and the table and chart beside it. */
  public void write(ObjectNode json, Path out, List<String> notes) throws IOException {
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
    String stem = out.getFileName().toString().replaceFirst("\\.json$", "");

    StringBuilder table = new StringBuilder("# " + title + "\n\n| | " + unit + " |\n|---|---:|\n");
    rates.forEach(
        (name, value) -> table.append(String.format(Locale.ROOT, "| %s | %.1f |%n", name, value)));
    table.append('\n');
    notes.forEach(note -> table.append("- ").append(note).append('\n'));
    Files.writeString(parent.resolve(stem + ".md"), table);

    CategoryChart chart =
        new CategoryChartBuilder().width(800).height(450).title(title).yAxisTitle(unit).build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setDecimalPattern("#,##0.0");
    chart.addSeries(unit, List.copyOf(rates.keySet()), List.copyOf(rates.values()));
    BitmapEncoder.saveBitmap(
        chart, parent.resolve(stem).toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
