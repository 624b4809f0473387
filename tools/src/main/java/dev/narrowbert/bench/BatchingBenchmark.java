package dev.narrowbert.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.job.JobSettings;
import dev.narrowbert.job.LengthBuckets;
import dev.narrowbert.job.TokenBudgetBatcher;
import dev.narrowbert.kafka.topics.SampleReviews;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.schema.Review;
import dev.narrowbert.tokenizer.Encoding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The job's batching policy ({@link LengthBuckets}: token budget + length buckets) against batches
 * of a fixed count in arrival order (FIFO), on the same reviews and model, alternating A B per
 * round. All reviews arrive at once (a backlog, where batching matters most); a review's latency is
 * the time until its batch is done. Padding ratio = padded tokens that are padding.
 */
@Command(
    name = "batching",
    mixinStandardHelpOptions = true,
    description = "Token-budget + length-bucket batching vs fixed-count FIFO batches.")
public final class BatchingBenchmark implements Callable<Integer> {

  @Mixin BenchOptions options;

  @Option(
      names = "--fifo-size",
      defaultValue = "32",
      description = "FIFO batch size (default: ${DEFAULT-VALUE}).")
  int fifoSize;

  @Override
  public Integer call() throws Exception {
    int count = options.quick ? 256 : 1024;
    int rounds = options.quick ? 2 : 3;
    Path modelDirectory = options.modelDirectory();
    JobSettings defaults =
        JobSettings.fromMap(
            java.util.Map.of("bootstrap-servers", "-", "model", modelDirectory.toString()));
    List<Review> reviews = new ArrayList<>(SampleReviews.load(options.reviews, 20 * count));
    Collections.shuffle(reviews, new Random(42)); // IMDB files are sorted by label
    List<Run> bucketed = new ArrayList<>();
    List<Run> fifo = new ArrayList<>();
    try (ReviewAnalyzer analyzer = ReviewAnalyzer.open(modelDirectory, "cpu")) {
      List<Encoding> encodings = new ArrayList<>();
      for (Review review : reviews.subList(0, count)) {
        encodings.add(analyzer.encode(review.getText()));
      }
      LengthBuckets<Encoding> policy =
          new LengthBuckets<>(
              analyzer.config().maxPositionEmbeddings(),
              TokenBudgetBatcher.BUCKET_WIDTH,
              defaults.maxBatchTokens(),
              defaults.maxBatchSize(),
              Long.MAX_VALUE,
              Encoding::tokenCount,
              e -> 0L);
      List<List<Encoding>> bucketBatches = new ArrayList<>();
      encodings.forEach(e -> bucketBatches.addAll(policy.add(e)));
      bucketBatches.addAll(policy.drain());
      List<List<Encoding>> fifoBatches = new ArrayList<>();
      for (int from = 0; from < count; from += fifoSize) {
        fifoBatches.add(encodings.subList(from, Math.min(count, from + fifoSize)));
      }
      run(analyzer, fifoBatches.subList(0, 1)); // warm-up
      for (int round = 0; round < rounds; round++) {
        bucketed.add(run(analyzer, bucketBatches));
        fifo.add(run(analyzer, fifoBatches));
        System.err.printf(
            Locale.ROOT,
            "round %d: buckets %.1f, FIFO %.1f reviews/s%n",
            round + 1,
            bucketed.get(round).rate(),
            fifo.get(round).rate());
      }
      write(
          modelDirectory,
          count,
          rounds,
          bucketed,
          fifo,
          padding(bucketBatches),
          padding(fifoBatches));
    }
    return 0;
  }

  /** One pass over all batches: reviews/s and each review's completion time (its latency). */
  private record Run(double rate, long[] latenciesMillis) {}

  private static Run run(ReviewAnalyzer analyzer, List<List<Encoding>> batches) {
    long start = System.nanoTime();
    List<Long> latencies = new ArrayList<>();
    int reviews = 0;
    for (List<Encoding> batch : batches) {
      analyzer.analyzeEncoded(batch);
      long done = (System.nanoTime() - start) / 1_000_000;
      batch.forEach(e -> latencies.add(done));
      reviews += batch.size();
    }
    return new Run(
        reviews / ((System.nanoTime() - start) / 1e9),
        latencies.stream().mapToLong(Long::longValue).sorted().toArray());
  }

  private static double padding(List<List<Encoding>> batches) {
    long real = 0;
    long padded = 0;
    for (List<Encoding> batch : batches) {
      int longest = batch.stream().mapToInt(Encoding::tokenCount).max().orElse(0);
      padded += (long) longest * batch.size();
      real += batch.stream().mapToInt(Encoding::tokenCount).sum();
    }
    return 1.0 - (double) real / padded;
  }

  /** The run with the median rate (its latencies go with it). */
  private static Run median(List<Run> runs) {
    List<Run> sorted = new ArrayList<>(runs);
    sorted.sort((a, b) -> Double.compare(a.rate(), b.rate()));
    return sorted.get(sorted.size() / 2);
  }

  private static Samples rates(List<Run> runs) {
    return Samples.of(runs.stream().map(Run::rate).toList());
  }

  private static long percentile(long[] sorted, double q) {
    return sorted[(int) Math.round(q * (sorted.length - 1))];
  }

  private void write(
      Path modelDirectory,
      int count,
      int rounds,
      List<Run> bucketedRuns,
      List<Run> fifoRuns,
      double bucketPadding,
      double fifoPadding)
      throws Exception {
    Run bucketed = median(bucketedRuns);
    Run fifo = median(fifoRuns);
    ObjectNode root = JsonLine.tree();
    ObjectNode result = root.putObject("batching");
    result.put("speedup", bucketed.rate() / fifo.rate());
    result.put("padding_ratio", bucketPadding);
    result.put("fifo_padding_ratio", fifoPadding);
    result.put("reviews_per_second", bucketed.rate());
    result.put("fifo_reviews_per_second", fifo.rate());
    result.put("p50_latency_ms", percentile(bucketed.latenciesMillis(), 0.5));
    result.put("p99_latency_ms", percentile(bucketed.latenciesMillis(), 0.99));
    result.put("fifo_p50_latency_ms", percentile(fifo.latenciesMillis(), 0.5));
    result.put("fifo_p99_latency_ms", percentile(fifo.latenciesMillis(), 0.99));
    ObjectNode spread = result.putObject("reviews_per_second_spread");
    rates(bucketedRuns).writeTo(spread.putObject("buckets"));
    rates(fifoRuns).writeTo(spread.putObject("fifo"));
    root.put("reviews", count)
        .put("rounds", rounds)
        .put("fifo_size", fifoSize)
        .put("lengths_from", options.reviews == null ? "demo samples" : options.reviews.toString())
        .put("model", modelDirectory.toString())
        .put("quick", options.quick);
    new BenchReport("Batching on " + count + " reviews", "reviews/s")
        .rate("token budget + length buckets", bucketed.rate())
        .rate("FIFO, " + fifoSize + " per batch", fifo.rate())
        .write(
            root,
            options.out,
            List.of(
                String.format(Locale.ROOT, "speedup: %.2fx", bucketed.rate() / fifo.rate()),
                String.format(
                    Locale.ROOT,
                    "padding: %.1f%% vs %.1f%% (FIFO)",
                    100 * bucketPadding,
                    100 * fifoPadding),
                "latency p50/p99 (all arriving at once): "
                    + result.get("p50_latency_ms")
                    + "/"
                    + result.get("p99_latency_ms")
                    + " ms vs "
                    + result.get("fifo_p50_latency_ms")
                    + "/"
                    + result.get("fifo_p99_latency_ms")
                    + " ms (FIFO)"));
    System.out.println(JsonLine.of(root));
  }
}
