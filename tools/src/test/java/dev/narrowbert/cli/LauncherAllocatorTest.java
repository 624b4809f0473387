package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's choice of C allocator ({@code tools/src/main/sh/allocator.sh}, sourced by {@code
 * ./narrowbert}): run in bash with a given command and environment, then read back what it
 * exported.
 */
class LauncherAllocatorTest {

  private static final Path SCRIPT = Path.of("src/main/sh/allocator.sh").toAbsolutePath();

  @TempDir Path dir;

  @Test
  void preloadsJemallocThatKeepsFreedPagesForTrainingAndEvaluation() throws Exception {
    Path library = fakeLibrary();
    for (String command : new String[] {"pretrain", "distill", "finetune", "gate", "eval"}) {
      Result result = choose(command, Map.of("NARROWBERT_JEMALLOC", library.toString()));

      assertThat(result.exitCode).as(command).isZero();
      assertThat(result.env)
          .as(command)
          .containsEntry("LD_PRELOAD", library.toString())
          .containsEntry(
              "MALLOC_CONF", "oversize_threshold:0,dirty_decay_ms:30000,muzzy_decay_ms:0,narenas:2")
          .containsEntry("MALLOC_ARENA_MAX", "2");
    }
  }

  @Test
  void keepsGlibcWithTwoArenasForTheJobAndTheDemo() throws Exception {
    Path library = fakeLibrary();
    for (String command : new String[] {"job", "demo", "analyze", "sql", "soak", ""}) {
      Result result = choose(command, Map.of("NARROWBERT_JEMALLOC", library.toString()));

      assertThat(result.exitCode).as(command).isZero();
      assertThat(result.env)
          .as(command)
          .containsEntry("LD_PRELOAD", "")
          .containsEntry("MALLOC_CONF", "")
          .containsEntry("MALLOC_ARENA_MAX", "2");
    }
  }

  @Test
  void zeroTurnsJemallocOff() throws Exception {
    Result result = choose("finetune", Map.of("NARROWBERT_JEMALLOC", "0"));

    assertThat(result.env).containsEntry("LD_PRELOAD", "").containsEntry("MALLOC_CONF", "");
  }

  @Test
  void keepsTheUsersSettingsAndPreloadsBesideIt() throws Exception {
    Path library = fakeLibrary();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("NARROWBERT_JEMALLOC", library.toString());
    env.put("LD_PRELOAD", "/opt/other.so");
    env.put("MALLOC_CONF", "narenas:1");
    env.put("MALLOC_ARENA_MAX", "4");

    Result result = choose("eval", env);

    assertThat(result.env)
        .containsEntry("LD_PRELOAD", library + ":/opt/other.so")
        .containsEntry("MALLOC_CONF", "narenas:1")
        .containsEntry("MALLOC_ARENA_MAX", "4");
  }

  @Test
  void aNamedLibraryThatIsMissingIsAOneLineError() throws Exception {
    Result result = choose("finetune", Map.of("NARROWBERT_JEMALLOC", "/no/such/libjemalloc.so.2"));

    assertThat(result.exitCode).isNotZero();
    assertThat(result.stderr.strip())
        .isEqualTo("narrowbert: NARROWBERT_JEMALLOC=/no/such/libjemalloc.so.2: no such file");
  }

  private Path fakeLibrary() throws IOException {
    return Files.writeString(dir.resolve("libjemalloc.so.2"), "not loaded, only named");
  }

  private record Result(int exitCode, Map<String, String> env, String stderr) {}

  /** Sources the script under bash's strict mode, as the launcher does, and runs its function. */
  private static Result choose(String command, Map<String, String> env) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
            "bash",
            "-c",
            "set -euo pipefail; source \"$0\"; choose_allocator \"$1\";"
                + " for v in LD_PRELOAD MALLOC_CONF MALLOC_ARENA_MAX; do echo \"$v=${!v:-}\"; done",
            SCRIPT.toString(),
            command);
    for (String name : new String[] {"LD_PRELOAD", "MALLOC_CONF", "MALLOC_ARENA_MAX"}) {
      builder.environment().remove(name);
    }
    builder.environment().remove("NARROWBERT_JEMALLOC");
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    int exitCode = process.waitFor();
    Map<String, String> exported = new LinkedHashMap<>();
    out.lines()
        .map(line -> line.split("=", 2))
        .forEach(kv -> exported.put(kv[0], kv.length > 1 ? kv[1] : ""));
    return new Result(exitCode, exported, err);
  }
}
