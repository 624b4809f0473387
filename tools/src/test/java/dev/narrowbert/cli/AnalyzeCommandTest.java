package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.narrowbert.inference.TinyModelDirectory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnalyzeCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  private List<JsonNode> run(Path model, String input, String... extraArgs) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AnalyzeCommand command =
        new AnalyzeCommand(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out);
    String[] args = new String[extraArgs.length + 2];
    args[0] = "--model";
    args[1] = model.toString();
    System.arraycopy(extraArgs, 0, args, 2, extraArgs.length);
    CommandLine commandLine = new CommandLine(command);
    commandLine.setExecutionExceptionHandler(
        (e, cl, parsed) -> {
          throw e;
        });
    assertThat(commandLine.execute(args)).isZero();
    return out.toString(StandardCharsets.UTF_8).lines().map(this::parse).toList();
  }

  private JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError(line, e);
    }
  }

  @Test
  void writesOneLinePerInputInOrderWithErrorsForBadLines() throws Exception {
    Path model = TinyModelDirectory.create(temp.resolve("model"));
    String input =
        String.join(
            "\n",
            "{\"review_id\":\"r1\",\"text\":\"great film<br/>tom hanks\"}",
            "not json",
            "{\"review_id\":7,\"text\":\"terrible plot\"}",
            "{\"review_id\":\"r4\"}",
            "",
            "{\"text\":\"i loved it !\"}");

    List<JsonNode> lines = run(model, input, "--batch-size", "2", "--device", "cpu");

    assertThat(lines).hasSize(6);
    assertThat(lines).extracting(n -> n.get("line").asInt()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(lines.get(0).get("review_id").asText()).isEqualTo("r1");
    assertThat(lines.get(0).get("sentiment").asText()).isIn("negative", "positive");
    assertThat(lines.get(0).get("embedding")).hasSize(36);
    assertThat(lines.get(0).get("token_count").asInt()).isEqualTo(6);
    assertThat(lines.get(1).get("error").asText()).startsWith("invalid JSON");
    assertThat(lines.get(2).get("review_id").asInt()).isEqualTo(7);
    assertThat(lines.get(3).get("error").asText()).contains("'text'");
    assertThat(lines.get(4).has("error")).isTrue();
    assertThat(lines.get(5).get("truncated").asBoolean()).isFalse();
  }

  @Test
  void rejectsAMissingModelDirectoryAsAUsageError() {
    AnalyzeCommand command =
        new AnalyzeCommand(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream());
    new CommandLine(command).parseArgs("--model", temp.resolve("nope").toString());

    assertThatThrownBy(command::call)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("is not a directory");
  }

  @Test
  void initModelWritesADirectoryThatAnalyzeCanUse() throws Exception {
    Path dir = temp.resolve("init");
    int exit =
        new CommandLine(new InitModelCommand())
            .execute("--preset", "tiny", "--out", dir.toString(), "--layer-stack", "sfsf:sf");

    assertThat(exit).isZero();
    assertThat(Files.readString(dir.resolve("config.json"))).contains("sfsf:sf");
    assertThat(run(dir, "{\"text\":\"Crème brûlée in Paris\"}")).hasSize(1);
  }
}
