package dev.narrowbert.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Where to run a model: {@code auto} (first GPU if PyTorch sees one, else CPU), {@code cpu}, {@code
 * gpu} (GPU 0) or {@code gpu:N}. Asking for a GPU that is not there fails instead of silently
 * falling back.
 */
public final class DeviceOption {

  private DeviceOption() {}

  /**
   * @throws IllegalArgumentException for an unknown option or a GPU that is not visible
   */
  public static Device resolve(String option) {
    String value = option == null ? "auto" : option.trim().toLowerCase(java.util.Locale.ROOT);
    int gpus = Engine.getInstance().getGpuCount();
    if (value.equals("auto")) {
      return gpus > 0 ? Device.gpu(0) : Device.cpu();
    }
    if (value.equals("cpu")) {
      return Device.cpu();
    }
    int index;
    if (value.equals("gpu")) {
      index = 0;
    } else if (value.matches("gpu:\\d+")) {
      index = Integer.parseInt(value.substring(4));
    } else {
      throw new IllegalArgumentException(
          "unknown device '" + option + "' (expected auto, cpu, gpu or gpu:N)");
    }
    if (index >= gpus) {
      throw new IllegalArgumentException(
          "device '" + option + "' requested but PyTorch sees " + gpus + " GPU(s)");
    }
    return Device.gpu(index);
  }
}
