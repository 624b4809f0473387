package dev.narrowbert.job;

import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.InferenceThreads;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.Entity;
import dev.narrowbert.schema.EntityType;
import dev.narrowbert.schema.ErrorType;
import dev.narrowbert.schema.ReviewAnalysis;
import dev.narrowbert.schema.Sentiment;
import dev.narrowbert.schema.SentimentLabel;
import dev.narrowbert.tokenizer.Encoding;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each {@link ReviewBatch} through the model and emits one {@link ReviewAnalysis} per review.
 *
 * <p>One {@link ReviewAnalyzer} per subtask, opened in {@link #open} and closed in {@link #close}
 * (unlike a static shared predictor, it is released when the task ends or restarts). Its device is
 * chosen per subtask: with {@code auto} or {@code gpu} and GPUs from Flink's external-resource
 * framework (resource name {@value #GPU_RESOURCE}), the one of this TaskManager's GPUs that the
 * fewest of its subtasks use ({@link GpuAssignment}), else the configured device. If a batch fails,
 * its reviews are retried one at a time, so only a review the model really cannot handle becomes a
 * {@link ErrorType#MODEL_FAILURE} dead letter.
 */
public final class AnalyzeReviews extends ProcessFunction<ReviewBatch, ReviewAnalysis> {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyzeReviews.class);

  /** Side output of reviews the model failed on. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("model-failures") {};

  /** Flink external resource name for GPUs ({@code external-resources: gpu}). */
  public static final String GPU_RESOURCE = "gpu";

  private static final int HISTOGRAM_WINDOW = 1024;

  private final String modelDirectory;
  private final String device;
  private final Precision precision;
  private final boolean entityGate;
  private final int inferenceThreads;

  private transient GpuAssignment.Lease gpuLease;
  private transient ReviewAnalyzer analyzer;
  private transient String modelVersion;
  private transient Counter analyzed;
  private transient Counter modelFailures;
  private transient Histogram batchSize;
  private transient Histogram batchTokens;
  private transient Histogram queueWaitMillis;
  private transient Histogram inferenceMillis;
  private transient Histogram endToEndMillis;
  private transient double lastPaddingRatio;

  /**
   * @param precision number format of the model at inference
   * @param entityGate use the model's entity gate (if it has one) to choose the NER queries
   * @param inferenceThreads PyTorch threads for this subtask's model; 0 for an equal share of the
   *     cores among the job's subtasks (see {@link InferenceThreads})
   */
  public AnalyzeReviews(
      Path modelDirectory,
      String device,
      Precision precision,
      boolean entityGate,
      int inferenceThreads) {
    this.modelDirectory = modelDirectory.toString();
    this.device = device;
    this.precision = precision;
    this.entityGate = entityGate;
    this.inferenceThreads = inferenceThreads;
  }

  @Override
  public void open(OpenContext context) throws Exception {
    String subtaskDevice = deviceForSubtask();
    int threads =
        inferenceThreads > 0
            ? inferenceThreads
            : InferenceThreads.shareOfCores(
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
    InferenceThreads.use(threads); // processElement runs on this same task thread
    try {
      analyzer =
          ReviewAnalyzer.open(Path.of(modelDirectory), subtaskDevice, precision)
              .useEntityGate(entityGate);
    } catch (Exception e) {
      releaseGpu();
      throw e;
    }
    modelVersion = analyzer.config().modelVersion();
    LOG.info(
        "Subtask {} analyses with model {} on {} (device setting: {}), {}, entity gate {}, {}"
            + " thread(s)",
        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
        modelVersion,
        analyzer.device(),
        subtaskDevice,
        precision,
        analyzer.entityGated() ? "on" : "off",
        threads);

    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    analyzed = metrics.counter("analyzedReviews");
    modelFailures = ReviewValidator.deadLetterCounters(metrics).get(ErrorType.MODEL_FAILURE);
    // Share of words the narrow layers computed for NER (1 without the gate).
    metrics.<Double, Gauge<Double>>gauge("entityQueryShare", () -> analyzer.queryShare().share());
    batchSize = histogram(metrics, "batchSize");
    batchTokens = histogram(metrics, "batchTokens");
    queueWaitMillis = histogram(metrics, "queueWaitMillis");
    inferenceMillis = histogram(metrics, "inferenceMillisPerBatch");
    endToEndMillis = histogram(metrics, "endToEndLatencyMillis");
    metrics.gauge("paddingRatio", () -> lastPaddingRatio);
  }

  @Override
  public void close() throws Exception {
    if (analyzer != null) {
      analyzer.close();
      analyzer = null;
    }
    releaseGpu();
  }

  private void releaseGpu() {
    if (gpuLease != null) {
      gpuLease.close();
      gpuLease = null;
    }
  }

  @Override
  public void processElement(ReviewBatch batch, Context context, Collector<ReviewAnalysis> out) {
    long started = System.currentTimeMillis();
    PendingReview[] reviews = batch.reviews();
    for (PendingReview review : reviews) {
      queueWaitMillis.update(started - review.enqueuedAtMillis());
    }
    List<Encoding> encodings = new ArrayList<>(reviews.length);
    for (PendingReview review : reviews) {
      encodings.add(review.encoding());
    }

    List<Analysis> analyses;
    try {
      analyses = analyzer.analyzeEncoded(encodings);
    } catch (RuntimeException batchFailure) {
      LOG.warn(
          "Batch of {} failed ({}); retrying one by one", reviews.length, batchFailure.toString());
      analyses = null;
    }
    long finished = System.currentTimeMillis();
    inferenceMillis.update(finished - started);
    batchSize.update(reviews.length);
    batchTokens.update(batch.paddedTokens());
    lastPaddingRatio = batch.paddingRatio();

    for (int i = 0; i < reviews.length; i++) {
      Analysis analysis = analyses != null ? analyses.get(i) : analyzeAlone(reviews[i], context);
      if (analysis != null) {
        out.collect(toRecord(reviews[i].review(), analysis, Instant.ofEpochMilli(finished)));
        analyzed.inc();
        endToEndMillis.update(finished - reviews[i].review().source().timestamp());
      }
    }
  }

  private Analysis analyzeAlone(PendingReview review, Context context) {
    try {
      return analyzer.analyzeEncoded(List.of(review.encoding())).get(0);
    } catch (RuntimeException e) {
      modelFailures.inc();
      context.output(
          DEAD_LETTERS,
          review
              .review()
              .source()
              .deadLetter(
                  ErrorType.MODEL_FAILURE,
                  "model failed on this review: " + e,
                  review.review().review().getReviewId()));
      return null;
    }
  }

  private ReviewAnalysis toRecord(ValidReview review, Analysis analysis, Instant processed) {
    List<Entity> entities = new ArrayList<>(analysis.entities().size());
    for (dev.narrowbert.inference.Entity entity : analysis.entities()) {
      entities.add(
          new Entity(
              entity.text(),
              entityType(entity.type()),
              entity.start(),
              entity.end(),
              entity.score()));
    }
    List<Float> embedding = new ArrayList<>(analysis.embedding().length);
    for (float value : analysis.embedding()) {
      embedding.add(value);
    }
    Map<String, Float> probabilities = analysis.sentimentProbabilities();
    return ReviewAnalysis.newBuilder()
        .setReviewId(review.review().getReviewId())
        .setModelVersion(modelVersion)
        .setSentiment(
            new Sentiment(
                sentimentLabel(analysis.sentiment()),
                probabilities.getOrDefault(analysis.sentiment(), 0f)))
        .setEntities(entities)
        .setEmbedding(embedding)
        .setTokens(analysis.tokenCount())
        .setTruncated(analysis.truncated())
        .setEventTime(review.review().getEventTime())
        .setProcessedTime(processed)
        .build();
  }

  static SentimentLabel sentimentLabel(String label) {
    try {
      return SentimentLabel.valueOf(label.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return SentimentLabel.UNKNOWN;
    }
  }

  static EntityType entityType(String type) {
    try {
      return EntityType.valueOf(type.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return EntityType.MISC;
    }
  }

  /**
   * This subtask's share of the GPUs Flink gave the TaskManager, if any and if the setting allows a
   * GPU; leases it until {@link #close}.
   */
  private String deviceForSubtask() {
    if (device.equals("cpu") || device.startsWith("gpu:")) {
      return device;
    }
    Set<ExternalResourceInfo> gpus = getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE);
    gpuLease = GpuAssignment.TASK_MANAGER.lease(gpus).orElse(null);
    if (gpuLease == null) {
      return device;
    }
    LOG.info(
        "Subtask {} takes GPU {} of this TaskManager's {} GPU(s), shared by {} subtask(s) now",
        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
        gpuLease.index(),
        gpus.size(),
        gpuLease.sharing());
    return "gpu:" + gpuLease.index();
  }

  private static Histogram histogram(MetricGroup metrics, String name) {
    return metrics.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
  }
}
