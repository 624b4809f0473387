package dev.narrowbert.soak;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two memory figures a soak watches: the live Java heap (measured right after a full GC, so it
 * is what is retained, not garbage) and the process's resident set from {@code /proc/self/status},
 * which also counts native memory (PyTorch tensors, DJL buffers, Kafka's direct buffers).
 */
final class MemoryProbe {

  /** One sample. */
  record Sample(double seconds, long reviews, double heapMb, double rssMb) {}

  private static final Path STATUS = Path.of("/proc/self/status");
  private final long start = System.nanoTime();

  /** Takes a sample after asking for a full collection. */
  Sample sample(long reviews) {
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return new Sample((System.nanoTime() - start) / 1e9, reviews, heap / 1048576.0, rssMb());
  }

  /** Resident set size in MB, or NaN where {@code /proc} does not exist (not Linux). */
  static double rssMb() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
