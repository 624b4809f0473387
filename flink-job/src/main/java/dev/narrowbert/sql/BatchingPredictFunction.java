package dev.narrowbert.sql;

import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.AnalysisPart;
import dev.narrowbert.inference.InferenceThreads;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.job.AnalyzeReviews;
import dev.narrowbert.job.GpuAssignment;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.ReviewTokenizer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ML_PREDICT} with a {@code narrowbert} model: Flink's asynchronous predict interface
 * ({@link AsyncPredictFunction}, run by the planner in an {@code AsyncWaitOperator}) in front of a
 * per-subtask micro-batcher, so rows go through the model in batches by the streaming job's policy
 * instead of one by one (see {@link PredictionBatcher}).
 *
 * <p>Threads: {@link #asyncPredict} runs on the task thread, checks the text and tokenises it (so
 * that tokenising overlaps inference), then hands the row to this subtask's one model thread, which
 * owns the {@link ReviewAnalyzer} (not thread-safe), the buckets and the delay timer, and completes
 * the rows' futures. Nothing is kept in Flink state: the asynchronous operator checkpoints the rows
 * in flight itself and sends them again after a restore.
 *
 * <p>Rows that are not analysed get NULL in every output column, never a failed job: NULL text,
 * blank text, and text longer than {@code max-text-bytes} in UTF-8; also a row the model fails on
 * (its batch is retried row by row first, as in the job). Text longer than the model's maximum
 * length is analysed on its first tokens ({@code truncated} is true).
 */
public final class BatchingPredictFunction extends AsyncPredictFunction {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(BatchingPredictFunction.class);

  private final NarrowbertModelOptions options;
  private final OutputColumns columns;
  private final int capacity;
  private final boolean ordered;

  private transient ReviewTokenizer tokenizer;
  private transient ScheduledExecutorService modelThread;
  private transient ReviewAnalyzer analyzer;
  private transient PredictionBatcher batcher;
  private transient BatchingMetrics metrics;
  private transient AtomicLong received;
  private transient int subtask;
  private transient GpuAssignment.Lease gpuLease;

  /**
   * @param capacity rows the asynchronous operator admits at a time ({@code
   *     max-concurrent-operations})
   * @param ordered whether the operator emits in input order
   */
  public BatchingPredictFunction(
      NarrowbertModelOptions options, OutputColumns columns, int capacity, boolean ordered) {
    this.options = options;
    this.columns = columns;
    this.capacity = capacity;
    this.ordered = ordered;
  }

  @Override
  public void open(FunctionContext context) throws Exception {
    super.open(context);
    subtask = context.getTaskInfo().getIndexOfThisSubtask();
    int subtasks = context.getTaskInfo().getNumberOfParallelSubtasks();
    String device = device(context);
    int threads =
        options.inferenceThreads() > 0
            ? options.inferenceThreads()
            : InferenceThreads.shareOfCores(subtasks);
    Path directory = Path.of(options.modelDirectory());
    tokenizer = ModelDirectory.readTokenizer(directory);
    metrics = new BatchingMetrics(context.getMetricGroup());
    received = new AtomicLong();
    modelThread =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "narrowbert-ml-predict-" + subtask);
              thread.setDaemon(true);
              return thread;
            });
    Set<AnalysisPart> parts = columns.parts();
    analyzer =
        modelThread
            .submit(
                () -> {
                  InferenceThreads.use(threads); // per thread: the model runs on this one
                  return ReviewAnalyzer.open(directory, device, options.precision())
                      .useEntityGate(options.entityGate());
                })
            .get();
    batcher =
        new PredictionBatcher(
            options,
            tokenizer.maxLength(),
            encodings -> analyzer.analyzeEncoded(encodings, parts),
            columns,
            capacity,
            ordered,
            received::get,
            System::currentTimeMillis,
            (task, delay) -> modelThread.schedule(task, delay, TimeUnit.MILLISECONDS),
            metrics);
    LOG.info(
        "ML_PREDICT subtask {} runs model {} on {} ({} thread(s), {}) for {}; batches of at most"
            + " {} rows / {} tokens / {}, {} rows in flight ({})",
        subtask,
        options.modelDirectory(),
        analyzer.device(),
        threads,
        options.precision(),
        parts,
        options.maxBatchSize(),
        options.maxBatchTokens(),
        options.maxBatchDelay(),
        capacity,
        ordered ? "ordered" : "unordered");
    if (capacity < options.maxBatchSize()) {
      LOG.warn(
          "Only {} rows in flight per subtask, fewer than max-batch-size {}: batches stay small."
              + " Set 'table.exec.async-ml-predict.max-concurrent-operations' (or ML_PREDICT's"
              + " 'max-concurrent-operations') to at least twice max-batch-size.",
          capacity,
          options.maxBatchSize());
    }
  }

  /**
   * With {@code auto} or {@code gpu}: the first GPU Flink gave this TaskManager (external resource
   * {@value AnalyzeReviews#GPU_RESOURCE}, as for the job), else the setting itself.
   */
  private String device(FunctionContext context) {
    String setting = options.device();
    if (setting.equals("cpu") || setting.startsWith("gpu:")) {
      return setting;
    }
    // The least used of the GPUs Flink gave this TaskManager, as the streaming job's subtasks take.
    gpuLease =
        GpuAssignment.TASK_MANAGER
            .lease(context.getExternalResourceInfos(AnalyzeReviews.GPU_RESOURCE))
            .orElse(null);
    return gpuLease == null ? setting : "gpu:" + gpuLease.index();
  }

  @Override
  public CompletableFuture<Collection<RowData>> asyncPredict(RowData input) {
    long sequence = received.getAndIncrement();
    String text = analysableText(input);
    if (text == null) {
      metrics.notAnalyzed();
      return CompletableFuture.completedFuture(List.of(columns.nullRow()));
    }
    Encoding encoding = tokenizer.encode(text);
    CompletableFuture<Collection<RowData>> result = new CompletableFuture<>();
    modelThread.execute(
        () -> {
          try {
            batcher.add(encoding, result, sequence);
          } catch (RuntimeException | Error e) {
            result.completeExceptionally(e); // fails the job now, not at the async timeout
            throw e;
          }
        });
    return result;
  }

  /** The text, or null when it is NULL, blank or longer than {@code max-text-bytes} in UTF-8. */
  private String analysableText(RowData input) {
    if (input.isNullAt(0)) {
      return null;
    }
    StringData text = input.getString(0);
    if (text.toBytes().length > options.maxTextBytes()) {
      return null; // before decoding: a 10 MB text costs no more than its length check
    }
    String decoded = text.toString();
    return decoded.isBlank() ? null : decoded;
  }

  @Override
  public void close() throws Exception {
    if (modelThread != null) {
      modelThread
          .submit(
              () -> {
                LOG.info(
                    "ML_PREDICT subtask {}: {} rows analysed in {} batches, {} not analysed",
                    subtask,
                    metrics.analyzed(),
                    metrics.batches(),
                    metrics.notAnalyzedCount());
                if (analyzer != null) {
                  analyzer.close();
                }
              })
          .get();
      modelThread.shutdownNow();
      modelThread = null;
    }
    if (gpuLease != null) {
      gpuLease.close();
      gpuLease = null;
    }
    super.close();
  }
}
