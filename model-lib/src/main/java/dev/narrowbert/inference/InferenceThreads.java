package dev.narrowbert.inference;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * How many threads PyTorch gives one model's operators (intra-op parallelism).
 *
 * <p>PyTorch uses one thread per core by default. With several models in one JVM (one per Flink
 * subtask) each takes that many, the cores are oversubscribed, and every operator's OpenMP barrier
 * waits for time slices: measured on 2 cores with two models busy, a batch of 8 x 250 tokens took
 * 1,165 ms instead of 156 ms. Each model's thread should therefore ask for its share of the cores.
 * The setting applies to the calling thread (OpenMP's per-thread limit), so call {@link #use} on
 * the thread that runs inference.
 */
public final class InferenceThreads {
  private InferenceThreads() {}

  /** Each of {@code models} models running at once on this machine gets an equal share, >= 1. */
  public static int shareOfCores(int models) {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, models));
  }

  /** Limits PyTorch to {@code threads} threads for operators run by the calling thread. */
  public static void use(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    Engine.getEngine("PyTorch"); // loads the native library before the JNI call
    JniUtils.setNumThreads(threads);
  }
}
