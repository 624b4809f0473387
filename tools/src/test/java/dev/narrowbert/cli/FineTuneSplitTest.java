package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.inference.TinyModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code finetune --valid-fraction}: the held-out examples are named by a fingerprint, and {@code
 * --valid-seed} keeps an earlier stage's held-out examples while {@code --seed} draws a new order.
 */
class FineTuneSplitTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void validSeedKeepsTheHeldOutExamplesWhileSeedDrawsANewOrder() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));

    CommandRun firstStage = splitRun(start, temp.resolve("a"), "--seed", "42");
    CommandRun sameSplit = splitRun(start, temp.resolve("b"), "--seed", "7", "--valid-seed", "42");
    CommandRun seedOnly = splitRun(start, temp.resolve("c"), "--seed", "7");

    for (CommandRun run : List.of(firstStage, sameSplit, seedOnly)) {
      assertThat(run.exitCode()).as(run.stdout()).isZero();
    }
    String heldOut = heldOut(firstStage);
    assertThat(heldOut).matches("[0-9a-f]{12}");
    assertThat(heldOut(sameSplit)).isEqualTo(heldOut);
    assertThat(heldOut(seedOnly)).isNotEqualTo(heldOut);
    // Same held-out reviews, but --seed 7 still trains in another order.
    assertThat(Files.readAllLines(temp.resolve("b/metrics.jsonl")).get(0))
        .isNotEqualTo(Files.readAllLines(temp.resolve("a/metrics.jsonl")).get(0));
  }

  @Test
  void aValidationFileHasNoFingerprint() throws Exception {
    CommandRun run = validationFileRun("--max-steps", "2", "--batch-size", "8");

    assertThat(run.exitCode()).as(run.stdout()).isZero();
    assertThat(JSON.readTree(run.lastLine()).has("held_out_sentiment")).isFalse();
  }

  @Test
  void resumeWithAnotherValidSeedIsRefusedAndTheSameOneResumes() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path out = temp.resolve("run");
    CommandRun first =
        splitRun(start, out, "--seed", "7", "--valid-seed", "42", "--stop-after", "2");
    assertThat(first.exitCode()).as(first.stdout()).isZero();

    CommandRun withoutValidSeed = splitRun(start, out, "--seed", "7", "--resume");
    CommandRun same = splitRun(start, out, "--seed", "7", "--valid-seed", "42", "--resume");

    assertThat(withoutValidSeed.exitCode()).isEqualTo(2);
    assertThat(withoutValidSeed.stdout().lines().findFirst().orElse(""))
        .contains("--resume with different example settings")
        .contains("valid_seed=42");
    assertThat(same.exitCode()).as(same.stdout()).isZero();
    assertThat(JSON.readTree(same.lastLine()).get("steps").asInt()).isEqualTo(6);
  }

  @Test
  void validSeedGivenTheRunsOwnSeedChangesNothing() throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path out = temp.resolve("run");
    assertThat(splitRun(start, out, "--seed", "42", "--stop-after", "2").exitCode()).isZero();

    CommandRun resumed = splitRun(start, out, "--seed", "42", "--valid-seed", "42", "--resume");

    assertThat(resumed.exitCode()).as(resumed.stdout()).isZero();
  }

  @Test
  void validSeedWithAValidationFileIsAUsageError() throws Exception {
    CommandRun run = validationFileRun("--valid-seed", "42");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout().lines().findFirst().orElse(""))
        .contains("--valid-seed seeds the --valid-fraction split");
  }

  private static String heldOut(CommandRun run) throws Exception {
    JsonNode summary = JSON.readTree(run.lastLine());
    return summary.get("held_out_sentiment").asText();
  }

  /** Sentiment fine-tuning with a validation file (the training file itself). */
  private CommandRun validationFileRun(String... extra) throws Exception {
    Path start = TinyModelDirectory.create(temp.resolve("start"));
    Path reviews = SyntheticData.reviews(temp.resolve("given.jsonl"), 48, 1);
    return sentimentRun(start, reviews, temp.resolve("out"), "--valid", reviews.toString(), extra);
  }

  /**
   * Sentiment fine-tuning for one epoch of 6 steps: 48 reviews, a quarter held out, batches of 6.
   */
  private CommandRun splitRun(Path start, Path out, String... extra) throws Exception {
    Path reviews = SyntheticData.reviews(temp.resolve("reviews.jsonl"), 48, 1);
    List<String> options =
        new ArrayList<>(
            List.of(
                "--epochs", "1", "--batch-size", "6", "--lr", "3e-3", "--checkpoint-every", "2"));
    options.addAll(List.of(extra));
    return sentimentRun(
        start, reviews, out, "--valid-fraction", "0.25", options.toArray(String[]::new));
  }

  private static CommandRun sentimentRun(
      Path start, Path reviews, Path out, String validOption, String validValue, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--task",
                "sentiment",
                "--model",
                start.toString(),
                "--train",
                reviews.toString(),
                validOption,
                validValue,
                "--out",
                out.toString()));
    args.addAll(List.of(extra));
    return CommandRun.of(new FineTuneCommand(), args.toArray(String[]::new));
  }
}
