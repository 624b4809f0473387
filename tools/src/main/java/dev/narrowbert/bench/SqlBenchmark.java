package dev.narrowbert.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.kafka.EmbeddedKafkaBroker;
import dev.narrowbert.kafka.topics.SampleReviews;
import dev.narrowbert.kafka.topics.TopicReader;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.schema.Review;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ML_PREDICT} against the DataStream job on the same reviews in one run. Both run at the
 * same time in this JVM, each on its own local Flink, parallelism 1, between Kafka topics of the
 * embedded broker with exactly-once sinks and the same checkpoint interval and batch size; both
 * compute sentiment, entities and the embedding. Each round feeds the job the reviews as Avro
 * (topic reviews), then the SQL query the same reviews as JSON (topic reviews-json, {@code INSERT
 * INTO ... SELECT ... FROM ML_PREDICT(...)}), and measures reviews/s from the first produced to the
 * last analysed, as {@code bench pipeline} does. Reports medians over rounds and their ratio.
 */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = "Flink SQL ML_PREDICT vs the DataStream job on the same reviews (reviews/s).")
public final class SqlBenchmark implements Callable<Integer> {

  @Mixin BenchOptions options;

  @Mixin StreamingJobOptions jobOptions;

  @Option(
      names = "--in-flight",
      defaultValue = "128",
      description =
          "Rows in flight per ML_PREDICT subtask"
              + " (table.exec.async-ml-predict.max-concurrent-operations; Flink's default is 10).")
  int inFlight;

  @Override
  public Integer call() throws Exception {
    int count = options.quick ? 200 : 1000;
    int rounds = options.quick ? 2 : 5;
    Path modelDirectory = options.modelDirectory();
    List<Review> reviews = SampleReviews.load(options.reviews, count);
    List<Double> job = new ArrayList<>();
    List<Double> sql = new ArrayList<>();
    List<Long> unused = new ArrayList<>();

    try (EmbeddedKafkaBroker kafka =
        EmbeddedKafkaBroker.builder()
            .topic("reviews", 1)
            .topic("review-analyses", 1)
            .topic("review-dead-letters", 1)
            .topic("reviews-json", 1)
            .topic("sql-analyses", 1)
            .build()
            .start()) {
      JobClient streamJob =
          PipelineBenchmark.startJob(
              jobOptions.jobSettings(kafka.bootstrapServers(), modelDirectory));
      JobClient sqlJob = startSqlJob(kafka.bootstrapServers(), modelDirectory);
      // A whole unmeasured round of each first: JIT, Kafka clients, codegen, the model.
      PipelineBenchmark.runPipeline(kafka, reviews, "warmup", unused);
      runSql(kafka, reviews, "warmup");
      for (int round = 0; round < rounds; round++) {
        job.add(PipelineBenchmark.runPipeline(kafka, reviews, "r" + round, unused));
        sql.add(runSql(kafka, reviews, "r" + round));
        System.err.printf(
            Locale.ROOT,
            "round %d: DataStream job %.1f, SQL ML_PREDICT %.1f reviews/s%n",
            round + 1,
            job.get(round),
            sql.get(round));
      }
      sqlJob.cancel().get();
      streamJob.cancel().get();
    }
    write(modelDirectory, count, rounds, Samples.of(job), Samples.of(sql));
    return 0;
  }

  /** The SQL job, running until cancelled: reviews-json -> ML_PREDICT -> sql-analyses. */
  private JobClient startSqlJob(String bootstrapServers, Path modelDirectory) {
    TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tables.getConfig().set("parallelism.default", "1");
    tables.getConfig().set("execution.checkpointing.interval", jobOptions.checkpointInterval);
    tables
        .getConfig()
        .set("table.exec.async-ml-predict.max-concurrent-operations", String.valueOf(inFlight));
    String kafka =
        "'connector' = 'kafka', 'properties.bootstrap.servers' = '"
            + bootstrapServers
            + "', 'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601'";
    tables.executeSql(
        "CREATE TABLE reviews_json (review_id STRING, text STRING, event_time TIMESTAMP_LTZ(3))"
            + " WITH ("
            + kafka
            + ", 'topic' = 'reviews-json', 'properties.group.id' = 'sql-bench',"
            + " 'scan.startup.mode' = 'earliest-offset')");
    tables.executeSql(
        "CREATE TABLE sql_analyses (review_id STRING, event_time TIMESTAMP_LTZ(3),"
            + " processed_time TIMESTAMP_LTZ(3), sentiment STRING, sentiment_probability FLOAT,"
            + " entities ARRAY<ROW<`text` STRING, `type` STRING, `start` INT, `end` INT,"
            + " score FLOAT>>, embedding ARRAY<FLOAT>) WITH ("
            + kafka
            + ", 'topic' = 'sql-analyses', 'sink.delivery-guarantee' = 'exactly-once',"
            + " 'properties.transaction.timeout.ms' = '300000',"
            + " 'sink.transactional-id-prefix' = 'sql-bench')");
    tables.executeSql(
        "CREATE TEMPORARY MODEL review_model INPUT (text STRING)"
            + " OUTPUT (sentiment STRING, sentiment_probability FLOAT,"
            + " entities ARRAY<ROW<`text` STRING, `type` STRING, `start` INT, `end` INT,"
            + " score FLOAT>>, embedding ARRAY<FLOAT>)"
            + " WITH ('provider' = 'narrowbert', 'device' = 'cpu', 'model' = '"
            + modelDirectory.toAbsolutePath()
            + "', 'max-batch-size' = '"
            + jobOptions.batchSize
            + "')");
    TableResult insert =
        tables.executeSql(
            "INSERT INTO sql_analyses SELECT review_id, event_time, CURRENT_TIMESTAMP, sentiment,"
                + " sentiment_probability, entities, embedding"
                + " FROM ML_PREDICT(TABLE reviews_json, MODEL review_model, DESCRIPTOR(text))");
    return insert.getJobClient().orElseThrow();
  }

  /** Sends the reviews as JSON under fresh ids; reviews/s from first produced to last analysed. */
  private static double runSql(EmbeddedKafkaBroker kafka, List<Review> reviews, String tag)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < reviews.size(); i++) {
        ObjectNode review = json.createObjectNode();
        review.put("review_id", "sql-" + tag + "-" + i);
        review.put("text", reviews.get(i).getText().toString());
        review.put("event_time", Instant.ofEpochMilli(System.currentTimeMillis()).toString());
        producer.send(new ProducerRecord<>("reviews-json", json.writeValueAsBytes(review)));
      }
      producer.flush();
    }
    String prefix = "\"review_id\":\"sql-" + tag + "-";
    var records =
        TopicReader.readCommitted(
            kafka.bootstrapServers(),
            "sql-analyses",
            r -> new String(r.value(), StandardCharsets.UTF_8).contains(prefix),
            reviews.size(),
            Duration.ofSeconds(600),
            Duration.ZERO,
            Map.of());
    long first = Long.MAX_VALUE;
    long last = 0;
    for (var record : records) {
      JsonNode analysis = json.readTree(record.value());
      if (analysis.get("sentiment").isNull()) {
        throw new IllegalStateException("ML_PREDICT did not analyse " + analysis.get("review_id"));
      }
      first = Math.min(first, Instant.parse(analysis.get("event_time").asText()).toEpochMilli());
      last = Math.max(last, Instant.parse(analysis.get("processed_time").asText()).toEpochMilli());
    }
    if (records.size() < reviews.size()) {
      throw new IllegalStateException(
          "ML_PREDICT returned " + records.size() + " of " + reviews.size() + " results");
    }
    return reviews.size() / Math.max(0.001, (last - first) / 1000.0);
  }

  private void write(Path modelDirectory, int count, int rounds, Samples jobRates, Samples sqlRates)
      throws Exception {
    double job = jobRates.median();
    double sql = sqlRates.median();
    ObjectNode root = JsonLine.tree();
    ObjectNode result = root.putObject("sql");
    result.put("ml_predict_reviews_per_second", sql);
    result.put("datastream_job_reviews_per_second", job);
    result.put("ratio", sql / job);
    ObjectNode spread = result.putObject("reviews_per_second_spread");
    sqlRates.writeTo(spread.putObject("ml_predict"));
    jobRates.writeTo(spread.putObject("datastream_job"));
    root.put("batch_size", jobOptions.batchSize)
        .put("in_flight", inFlight)
        .put("checkpoint_interval", jobOptions.checkpointInterval)
        .put("reviews", count)
        .put("rounds", rounds)
        .put("model", modelDirectory.toString())
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("quick", options.quick);
    new BenchReport("ML_PREDICT vs DataStream job (" + count + " reviews)", "reviews/s")
        .rate("DataStream job (Kafka + Flink, exactly once)", job)
        .rate("SQL ML_PREDICT (Kafka + Flink SQL, exactly once)", sql)
        .write(
            root,
            options.out,
            List.of(String.format(Locale.ROOT, "ML_PREDICT / DataStream job: %.2f", sql / job)));
    System.out.println(JsonLine.of(root));
  }
}
