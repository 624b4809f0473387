package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FineTuningStateTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FineTuningSettings SETTINGS =
      new FineTuningSettings(1, 8, 1e-3f, 0.01f, 1f, 42, 0, 2, 0);

  @Test
  void aCheckpointSavedBeforeExampleSettingsExistedResumesOnlyTasksWithDefaults() throws Exception {
    FineTuningState saved = state(List.of(Map.of(), Map.of()));
    ObjectNode json = JSON.valueToTree(saved);
    json.remove("exampleSettings");

    FineTuningState old = JSON.treeToValue(json, FineTuningState.class);

    assertThat(old.exampleSettings()).isEmpty();
    assertThat(old.sameExampleSettings(List.of(Map.of(), Map.of()))).isTrue();
    assertThat(old.sameExampleSettings(List.of(Map.of(), Map.of("context", "64")))).isFalse();
  }

  @Test
  void keepsEachTasksExampleSettingsThroughJson() throws Exception {
    FineTuningState saved = state(List.of(Map.of(), Map.of("context", "64")));

    FineTuningState read = JSON.readValue(JSON.writeValueAsString(saved), FineTuningState.class);

    assertThat(read.sameExampleSettings(List.of(Map.of(), Map.of("context", "64")))).isTrue();
    assertThat(read.sameExampleSettings(List.of(Map.of(), Map.of("context", "32")))).isFalse();
    assertThat(read.sameExampleSettings(List.of(Map.of(), Map.of()))).isFalse();
  }

  private static FineTuningState state(List<Map<String, String>> exampleSettings) {
    return new FineTuningState(
        3,
        SETTINGS,
        List.of(96, 48),
        exampleSettings,
        List.of(new FineTuningState.Position(0, 3), new FineTuningState.Position(0, 3)),
        null,
        0,
        Map.of(),
        0);
  }
}
