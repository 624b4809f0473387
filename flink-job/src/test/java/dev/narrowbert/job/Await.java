package dev.narrowbert.job;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition of a running cluster until it holds, failing the test after a timeout. */
final class Await {
  private Await() {}

  static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + timeout.toSeconds() + " s: " + what);
      }
      Thread.sleep(250);
    }
  }
}
