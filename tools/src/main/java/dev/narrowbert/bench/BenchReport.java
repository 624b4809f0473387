package dev.narrowbert.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.output.JsonFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Writes a benchmark's result three ways: the JSON file the user named, a Markdown table and a PNG
 * bar chart (XChart) beside it, with the same stem ({@code results.json} -> {@code results.md},
 * {@code results.png}). Values are grouped by series (chart colours, table columns) and category
 * (chart groups, table rows).
 */
public final class BenchReport {
  private final String title;
  private final String unit;
  private final Map<String, Map<String, Double>> series = new LinkedHashMap<>();

  /**
   * @param unit the y-axis title, and the series name for {@link #rate}
   */
  public BenchReport(String title, String unit) {
    this.title = title;
    this.unit = unit;
  }

  /** One bar of a single-series chart and one row of the table: a median rate. */
  public BenchReport rate(String name, double value) {
    return value(unit, name, value);
  }

  /** One bar of series {@code seriesName} in group {@code category}. */
  public BenchReport value(String seriesName, String category, double value) {
    series.computeIfAbsent(seriesName, s -> new LinkedHashMap<>()).put(category, value);
    return this;
  }

  /** Writes {@code json} to {@code out}, and the table and chart beside it. */
  public void write(ObjectNode json, Path out, List<String> notes) throws IOException {
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    JsonFile.write(out, json);
    String stem = out.getFileName().toString().replaceFirst("\\.json$", "");
    Set<String> categories = new LinkedHashSet<>();
    series.values().forEach(values -> categories.addAll(values.keySet()));

    StringBuilder table = new StringBuilder("# " + title + "\n\n|");
    series.keySet().forEach(name -> table.append(" | ").append(name));
    table.append(" |\n|---").append("|---:".repeat(series.size())).append("|\n");
    for (String category : categories) {
      table.append("| ").append(category);
      for (Map<String, Double> values : series.values()) {
        Double value = values.get(category);
        table.append(value == null ? " | " : String.format(Locale.ROOT, " | %.2f", value));
      }
      table.append(" |\n");
    }
    table.append('\n');
    notes.forEach(note -> table.append("- ").append(note).append('\n'));
    Files.writeString(parent.resolve(stem + ".md"), table);

    CategoryChart chart =
        new CategoryChartBuilder().width(1000).height(620).title(title).yAxisTitle(unit).build();
    chart.getStyler().setXAxisLabelRotation(categories.size() > 4 ? 35 : 0);
    chart.getStyler().setLegendVisible(series.size() > 1);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setDecimalPattern("#,##0.0#");
    List<String> x = new ArrayList<>(categories);
    series.forEach(
        (name, values) ->
            chart.addSeries(name, x, x.stream().map(c -> values.getOrDefault(c, 0.0)).toList()));
    BitmapEncoder.saveBitmap(
        chart, parent.resolve(stem).toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
