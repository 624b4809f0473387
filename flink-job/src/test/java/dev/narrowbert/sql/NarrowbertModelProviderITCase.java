package dev.narrowbert.sql;

import static org.apache.flink.table.api.DataTypes.FIELD;
import static org.apache.flink.table.api.DataTypes.INT;
import static org.apache.flink.table.api.DataTypes.ROW;
import static org.apache.flink.table.api.DataTypes.STRING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.Entity;
import dev.narrowbert.inference.ReviewAnalyzer;
import dev.narrowbert.job.MiniClusters;
import dev.narrowbert.kafka.topics.SampleReviews;
import dev.narrowbert.schema.Review;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code CREATE MODEL ... WITH ('provider' = 'narrowbert')} and {@code ML_PREDICT} through Flink's
 * real planner, on a MiniCluster at parallelism 2, with the shipped model: every row's outputs must
 * equal what {@link ReviewAnalyzer} says about the same text.
 */
class NarrowbertModelProviderITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.oneTaskManagerWithTwoSlots();

  private static final Path MODEL =
      Path.of(System.getProperty("narrowbert.root", "..")).resolve(DefaultModel.RELATIVE_PATH);

  private static ReviewAnalyzer reference;
  private TableEnvironment sql;

  @BeforeAll
  static void openReference() throws Exception {
    reference = ReviewAnalyzer.open(MODEL, "cpu");
  }

  @AfterAll
  static void closeReference() {
    reference.close();
  }

  @BeforeEach
  void createSession() {
    sql = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    sql.getConfig().set("parallelism.default", "2");
  }

  @Test
  void everyRowGetsTheAnalysisOfTheModelItself() throws Exception {
    List<String> texts = new ArrayList<>();
    for (Review review : SampleReviews.load(null, 24)) {
      texts.add(review.getText().toString());
    }
    reviews(texts);
    sql.executeSql(
        "CREATE TEMPORARY MODEL review_model"
            + " INPUT (text STRING)"
            + " OUTPUT (sentiment STRING, sentiment_probability FLOAT,"
            + "   entities ARRAY<ROW<`text` STRING, `type` STRING, `start` INT, `end` INT,"
            + "     score FLOAT>>,"
            + "   embedding ARRAY<FLOAT>, tokens INT, truncated BOOLEAN)"
            + " WITH ('provider' = 'narrowbert', 'model' = '"
            + MODEL
            + "', 'device' = 'cpu')");

    Map<Integer, Row> rows =
        byId(
            "SELECT id, sentiment, sentiment_probability, entities, embedding, tokens, truncated"
                + " FROM ML_PREDICT(TABLE reviews, MODEL review_model, DESCRIPTOR(text))");

    assertThat(rows).hasSize(texts.size());
    List<Analysis> expected = reference.analyze(texts);
    int withEntities = 0;
    for (int id = 0; id < texts.size(); id++) {
      Row row = rows.get(id);
      Analysis analysis = expected.get(id);
      assertThat(row.getField("sentiment")).as("review %d", id).isEqualTo(analysis.sentiment());
      assertThat((Float) row.getField("sentiment_probability"))
          .isCloseTo(analysis.sentimentProbabilities().get(analysis.sentiment()), within(1e-4f));
      assertThat(entities(row)).as("review %d", id).isEqualTo(spans(analysis.entities()));
      assertThat(floats((Float[]) row.getField("embedding")))
          .containsExactly(analysis.embedding(), within(1e-4f));
      assertThat(row.getField("tokens")).isEqualTo(analysis.tokenCount());
      assertThat(row.getField("truncated")).isEqualTo(false);
      withEntities += analysis.entities().isEmpty() ? 0 : 1;
    }
    assertThat(withEntities).as("reviews with entities").isPositive();
  }

  /**
   * A model declaring a subset of the columns (no entities or embedding: only the [CLS] query runs)
   * gives each row those columns; NULL, blank and too long text get NULL outputs, the job goes on.
   */
  @Test
  void aSubsetOfColumnsWithNullOutputsForNullBlankAndTooLongText() throws Exception {
    String tooLong = "great film ".repeat(200); // 2,200 bytes > max-text-bytes
    int positions = reference.config().maxPositionEmbeddings();
    // One token per 2 bytes: more tokens than the model's positions, fewer bytes than the limit.
    String pastTheModelsLength = "a ".repeat(positions + 50);
    List<String> texts =
        Arrays.asList(
            null,
            "",
            "   \n ",
            tooLong,
            pastTheModelsLength,
            "Loved every minute.",
            "Two hours of my life I will never get back.");
    reviews(texts);
    sql.executeSql(
        "CREATE TEMPORARY MODEL m INPUT (text STRING)"
            + " OUTPUT (truncated BOOLEAN, sentiment STRING, tokens INT)"
            + " WITH ('provider' = 'narrowbert', 'model' = '"
            + MODEL
            + "', 'max-text-bytes' = '2000')");

    Map<Integer, Row> rows =
        byId(
            "SELECT * FROM ML_PREDICT(TABLE reviews, MODEL m, DESCRIPTOR(text),"
                + " MAP['max-concurrent-operations', '100'])");

    assertThat(rows).hasSize(texts.size());
    assertThat(rows.get(0).getFieldNames(true))
        .containsExactly("id", "text", "truncated", "sentiment", "tokens");
    for (int id : List.of(0, 1, 2, 3)) {
      for (String column : List.of("truncated", "sentiment", "tokens")) {
        assertThat(rows.get(id).getField(column)).as("review %d: %s", id, column).isNull();
      }
    }
    assertThat(rows.get(4).getField("truncated")).isEqualTo(true);
    assertThat(rows.get(4).getField("tokens")).isEqualTo(positions);
    List<Analysis> expected = reference.analyze(texts.subList(4, texts.size()));
    for (int id = 4; id < texts.size(); id++) {
      assertThat(rows.get(id).getField("sentiment"))
          .as("review %d", id)
          .isEqualTo(expected.get(id - 4).sentiment());
    }
  }

  /** A view {@code reviews (id INT, text STRING)}; id is the index in {@code texts}. */
  private void reviews(List<String> texts) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      rows.add(Row.of(i, texts.get(i)));
    }
    sql.createTemporaryView(
        "reviews", sql.fromValues(ROW(FIELD("id", INT()), FIELD("text", STRING())), rows));
  }

  private Map<Integer, Row> byId(String query) throws Exception {
    Map<Integer, Row> rows = new TreeMap<>();
    try (CloseableIterator<Row> results = sql.executeSql(query).collect()) {
      results.forEachRemaining(
          row -> {
            Row previous = rows.put((Integer) row.getField("id"), row);
            assertThat(previous).as("a second row for id %s", row.getField("id")).isNull();
          });
    }
    return rows;
  }

  /** The entities of a result row as comparable spans. */
  private static List<String> entities(Row row) {
    List<String> spans = new ArrayList<>();
    for (Row entity : (Row[]) row.getField("entities")) {
      spans.add(
          entity.getField("type")
              + " "
              + entity.getField("text")
              + " "
              + entity.getField("start")
              + "-"
              + entity.getField("end"));
    }
    return spans;
  }

  private static float[] floats(Float[] boxed) {
    float[] values = new float[boxed.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = boxed[i];
    }
    return values;
  }

  private static List<String> spans(List<Entity> entities) {
    return entities.stream()
        .map(e -> e.type() + " " + e.text() + " " + e.start() + "-" + e.end())
        .toList();
  }
}
