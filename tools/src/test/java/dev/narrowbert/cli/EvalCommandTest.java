package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.inference.TinyModelDirectory;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval} without {@code --model} uses the shipped model, as {@code analyze} does. */
class EvalCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  private final String homeBefore = System.getProperty(DefaultModel.HOME_PROPERTY);

  @AfterEach
  void restoreHome() {
    if (homeBefore == null) {
      System.clearProperty(DefaultModel.HOME_PROPERTY);
    } else {
      System.setProperty(DefaultModel.HOME_PROPERTY, homeBefore);
    }
  }

  @Test
  void scoresTheShippedModelWhenNoModelIsGiven() throws Exception {
    TinyModelDirectory.create(home.resolve(DefaultModel.RELATIVE_PATH));
    Path data = SyntheticData.reviews(home.resolve("reviews.jsonl"), 20, 3);
    System.setProperty(DefaultModel.HOME_PROPERTY, home.toString());

    CommandRun run =
        CommandRun.of(
            new EvalCommand(), "--task", "sentiment", "--data", data.toString(), "--device", "cpu");

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    JsonNode result = JSON.readTree(run.lastLine());
    assertThat(result.get("task").asText()).isEqualTo("sentiment");
    assertThat(result.get("examples").asInt()).isEqualTo(20);
  }

  @Test
  void withoutModelOrShippedModelIsAUsageErrorSayingHowToGetOne() throws Exception {
    Path data = SyntheticData.reviews(home.resolve("reviews.jsonl"), 2, 3);
    System.setProperty(DefaultModel.HOME_PROPERTY, home.resolve("no-project").toString());

    CommandRun run =
        CommandRun.of(new EvalCommand(), "--task", "sentiment", "--data", data.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).contains("no --model given", "init-model");
  }
}
