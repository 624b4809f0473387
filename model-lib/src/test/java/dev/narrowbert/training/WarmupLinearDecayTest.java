package dev.narrowbert.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WarmupLinearDecayTest {

  @Test
  void risesLinearlyToThePeakThenFallsLinearlyToZero() {
    WarmupLinearDecay schedule = new WarmupLinearDecay(1e-3f, 4, 12);

    assertThat(schedule.at(0)).isCloseTo(0.25e-3f, within(1e-9f));
    assertThat(schedule.at(3)).isCloseTo(1e-3f, within(1e-9f));
    assertThat(schedule.at(4)).isCloseTo(1e-3f, within(1e-9f));
    assertThat(schedule.at(8)).isCloseTo(0.5e-3f, within(1e-9f));
    assertThat(schedule.at(12)).isZero();
  }
}
