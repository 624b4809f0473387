package dev.narrowbert.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.tokenizer.Encoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The timing part of {@link DeviceBenchmark}: reviews/s of several analyzers on the same batch,
 * alternating round by round after a warm-up, until both a minimum of rounds and a time budget are
 * spent; and the result row of one batch.
 */
final class DeviceThroughput {
  private static final int MAX_ROUNDS = 1000;

  private final int warmup;
  private final double seconds;
  private final int minRounds;

  /**
   * @param warmup untimed rounds per analyzer
   * @param seconds timed seconds per analyzer
   * @param minRounds timed rounds at least
   */
  DeviceThroughput(int warmup, double seconds, int minRounds) {
    this.warmup = warmup;
    this.seconds = seconds;
    this.minRounds = minRounds;
  }

  /** Times {@code analyzers} on the same batch, one round each in turn, after a warm-up. */
  List<Samples> alternate(List<ReviewAnalyzer> analyzers, List<Encoding> batch) {
    for (int w = 0; w < warmup; w++) {
      analyzers.forEach(analyzer -> analyzer.analyzeEncoded(batch));
    }
    List<List<Double>> rates = new ArrayList<>();
    analyzers.forEach(analyzer -> rates.add(new ArrayList<>()));
    long deadline = System.nanoTime() + (long) (seconds * analyzers.size() * 1e9);
    for (int round = 0; round < MAX_ROUNDS; round++) {
      if (round >= minRounds && System.nanoTime() > deadline) {
        break;
      }
      for (int i = 0; i < analyzers.size(); i++) {
        long start = System.nanoTime();
        analyzers.get(i).analyzeEncoded(batch); // returns floats on the host: the device is done
        rates.get(i).add(batch.size() / ((System.nanoTime() - start) / 1e9));
      }
    }
    return rates.stream().map(Samples::of).toList();
  }

  /**
   * One row of the result's {@code throughput}: the batch's lengths, each variant's reviews/s and
   * the speedup of the first variant (narrow) over the second (full); also printed as one line.
   */
  static ObjectNode row(
      String length,
      List<Encoding> batch,
      Precision precision,
      Iterable<String> variants,
      List<Samples> rates) {
    ObjectNode row = JsonLine.tree();
    double tokens = batch.stream().mapToInt(Encoding::tokenCount).average().orElse(0);
    int padded = batch.stream().mapToInt(Encoding::tokenCount).max().orElse(0);
    String format = precision.name().toLowerCase(Locale.ROOT);
    row.put("length", length).put("mean_tokens", tokens).put("padded_tokens", padded);
    row.put("precision", format).put("batch_size", batch.size());
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%-10s %s batch %4d (%3d tokens), reviews/s:",
                length,
                format,
                batch.size(),
                padded));
    int i = 0;
    for (String variant : variants) {
      Samples samples = rates.get(i++);
      samples.writeTo(row.putObject(variant)).put("unit", "reviews/s");
      line.append(String.format(Locale.ROOT, " %s %.1f", variant, samples.median()));
    }
    // narrow over full: what NarrowBERT buys at this batch size and length.
    row.put("speedup", rates.get(0).median() / rates.get(1).median());
    line.append(String.format(Locale.ROOT, "; narrow/full %.2fx", row.get("speedup").asDouble()));
    System.out.println(line);
    return row;
  }

  /** {@code size} encodings, going round {@code encodings} as often as needed. */
  static List<Encoding> cycle(List<Encoding> encodings, int size) {
    List<Encoding> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      batch.add(encodings.get(i % encodings.size()));
    }
    return batch;
  }
}
