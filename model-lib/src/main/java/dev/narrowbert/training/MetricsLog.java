package dev.narrowbert.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code metrics.jsonl} of a training run: one JSON object per logged step, each with {@code
 * step} and named values (e.g. {@code loss}, {@code lr}, {@code eval_loss}). Kept in memory as well
 * so the {@link MetricsChart} can be redrawn at every checkpoint. When a run resumes at step k,
 * lines after k are dropped, so the log reads as if the run had never stopped.
 */
public final class MetricsLog implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One logged line. */
  public record Entry(long step, Map<String, Double> values) {}

  private final Path file;
  private final List<Entry> entries = new ArrayList<>();
  private final BufferedWriter writer;

  private MetricsLog(Path file, List<Entry> kept) throws IOException {
    this.file = file;
    entries.addAll(kept);
    StringBuilder text = new StringBuilder();
    for (Entry entry : kept) {
      text.append(line(entry)).append('\n');
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
    writer =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
  }

  /** A new, empty log (an existing file is replaced). */
  public static MetricsLog create(Path file) throws IOException {
    return new MetricsLog(file, List.of());
  }

  /** Keeps the existing lines with {@code step <= lastStep} and appends after them. */
  public static MetricsLog resume(Path file, long lastStep) throws IOException {
    List<Entry> kept = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = JSON.readTree(line);
        long step = node.get("step").asLong();
        if (step <= lastStep) {
          Map<String, Double> values = new java.util.LinkedHashMap<>();
          node.fields()
              .forEachRemaining(
                  f -> {
                    if (!f.getKey().equals("step")) {
                      values.put(f.getKey(), f.getValue().asDouble());
                    }
                  });
          kept.add(new Entry(step, values));
        }
      }
    }
    return new MetricsLog(file, kept);
  }

  public Path file() {
    return file;
  }

  public void log(long step, Map<String, Double> values) throws IOException {
    Entry entry = new Entry(step, new java.util.LinkedHashMap<>(values));
    entries.add(entry);
    writer.write(line(entry));
    writer.newLine();
    writer.flush();
  }

  /** (step, value) pairs of every entry that has {@code name}. */
  public double[][] series(String name) {
    List<double[]> points = new ArrayList<>();
    for (Entry entry : entries) {
      Double value = entry.values().get(name);
      if (value != null && Double.isFinite(value)) {
        points.add(new double[] {entry.step(), value});
      }
    }
    double[][] xy = new double[2][points.size()];
    for (int i = 0; i < points.size(); i++) {
      xy[0][i] = points.get(i)[0];
      xy[1][i] = points.get(i)[1];
    }
    return xy;
  }

  private static String line(Entry entry) throws IOException {
    ObjectNode node = JSON.createObjectNode().put("step", entry.step());
    entry.values().forEach(node::put);
    return JSON.writeValueAsString(node);
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
