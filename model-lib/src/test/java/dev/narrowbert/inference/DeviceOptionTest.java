package dev.narrowbert.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class DeviceOptionTest {

  @Test
  void autoPicksTheCpuWhenPyTorchSeesNoGpu() {
    assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
    assertThat(DeviceOption.resolve("auto")).isEqualTo(Device.cpu());
    assertThat(DeviceOption.resolve(null)).isEqualTo(Device.cpu());
  }

  @Test
  void cpuIsAlwaysTheCpu() {
    assertThat(DeviceOption.resolve("cpu")).isEqualTo(Device.cpu());
    assertThat(DeviceOption.resolve(" CPU ")).isEqualTo(Device.cpu());
  }

  @Test
  void askingForAMissingGpuFailsInsteadOfFallingBackToTheCpu() {
    int gpus = Engine.getInstance().getGpuCount();
    assertThatThrownBy(() -> DeviceOption.resolve("gpu:" + gpus))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("device 'gpu:" + gpus + "' requested but PyTorch sees " + gpus + " GPU(s)");
    assumeTrue(gpus == 0, "this machine has a GPU");
    assertThatThrownBy(() -> DeviceOption.resolve("gpu"))
        .hasMessage("device 'gpu' requested but PyTorch sees 0 GPU(s)");
  }

  @Test
  void rejectsUnknownDevicesNamingTheChoices() {
    assertThatThrownBy(() -> DeviceOption.resolve("tpu"))
        .hasMessage("unknown device 'tpu' (expected auto, cpu, gpu or gpu:N)");
  }
}
