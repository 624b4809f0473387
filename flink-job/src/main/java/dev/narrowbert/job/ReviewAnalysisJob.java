package dev.narrowbert.job;

import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.ReviewAnalysis;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/**
 * The streaming job: reviews from Kafka, through NarrowBERT, to results and dead letters in Kafka,
 * exactly once.
 *
 * <pre>
 * KafkaSource (read_committed) -> ReviewValidator --invalid--------------------------+
 *   -> rebalance -> TokenBudgetBatcher -> AnalyzeReviews --model failures------------+-> dead letters
 *                                              +-> results                     (KafkaSink, EXACTLY_ONCE)
 * </pre>
 *
 * <p>{@link #main} only parses settings and wires; {@link #build} takes the source and sinks as
 * arguments so tests plug in their own. After validation the stream is rebalanced, so every subtask
 * gets reviews even when the topic has fewer partitions than the job has subtasks, and each subtask
 * still forms large batches (the job never keys by review id).
 */
public final class ReviewAnalysisJob {
  public static final String NAME = "narrowbert review analysis";

  private ReviewAnalysisJob() {}

  /** Entry point of the job jar: {@code flink run narrowbert-flink-job.jar --key value ...}. */
  public static void main(String[] args) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    buildOnKafka(env, JobSettings.fromArgs(args));
    env.execute(NAME);
  }

  /** Configures {@code env} and wires the job between the Kafka topics of {@code settings}. */
  public static void buildOnKafka(StreamExecutionEnvironment env, JobSettings settings) {
    configure(env, settings);
    build(
        env,
        settings,
        KafkaConnections.source(settings),
        KafkaConnections.resultsSink(settings),
        KafkaConnections.deadLetterSink(settings));
  }

  /**
   * Exactly-once checkpointing at the configured interval, no Kryo fallback for any type, object
   * reuse, the settings as global job parameters (secrets hidden: Flink shows these parameters on
   * its web UI and REST API), and the parallelism if one is set.
   *
   * <p>Object reuse is safe here because every operator of the job emits new objects and never
   * changes its input (the batcher keeps inputs only until it emits them in a new batch); it spares
   * a deep copy of every batch and every result between chained operators.
   */
  public static void configure(StreamExecutionEnvironment env, JobSettings settings) {
    Configuration config = new Configuration();
    config.set(PipelineOptions.GENERIC_TYPES, false);
    config.set(PipelineOptions.OBJECT_REUSE, true);
    config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpointInterval());
    config.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    env.configure(config);
    env.getConfig().setGlobalJobParameters(ParameterTool.fromMap(settings.toRedactedMap()));
    if (settings.parallelism() > 0) {
      env.setParallelism(settings.parallelism());
    }
  }

  /** Wires source -> validate -> batch -> analyze -> sinks. */
  public static void build(
      StreamExecutionEnvironment env,
      JobSettings settings,
      Source<SourceRecord, ?, ?> source,
      Sink<ReviewAnalysis> results,
      Sink<DeadLetter> deadLetters) {
    SingleOutputStreamOperator<ValidReview> valid =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "reviews")
            .uid("reviews-source")
            .process(new ReviewValidator(settings.maxTextBytes()))
            .name("decode + validate")
            .uid("validate");

    DataStream<ValidReview> spread = settings.rebalance() ? valid.rebalance() : valid;
    SingleOutputStreamOperator<ReviewAnalysis> analyses =
        spread
            .transform(
                "batch by tokens",
                TypeInformation.of(ReviewBatch.class),
                new TokenBudgetBatcher(
                    settings.modelDirectory(),
                    settings.maxBatchTokens(),
                    settings.maxBatchSize(),
                    settings.maxBatchDelay().toMillis()))
            .uid("batch")
            .process(
                new AnalyzeReviews(
                    settings.modelDirectory(),
                    settings.device(),
                    settings.precision(),
                    settings.entityGate(),
                    settings.inferenceThreads()))
            .name("analyze (NarrowBERT)")
            .uid("analyze");

    analyses.sinkTo(results).name("results").uid("results-sink");

    DataStream<DeadLetter> failed =
        valid
            .getSideOutput(ReviewValidator.DEAD_LETTERS)
            .union(analyses.getSideOutput(AnalyzeReviews.DEAD_LETTERS));
    failed.sinkTo(deadLetters).name("dead letters").uid("dead-letter-sink");
  }
}
