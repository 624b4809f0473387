package dev.narrowbert.job;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failures to inject into a running job, one after another. The k-th failure fires when its {@link
 * Point} has seen {@code after} events in one subtask of the k-th run of the job (the first run
 * after the previous failure fired: a newer execution attempt), so that every failure costs exactly
 * one restart and no two land in the same one. Each fires once.
 *
 * <p>Flink re-creates operators on every restart, so a plan lives in a static registry and the
 * wrapped operators carry only its name: it survives restarts within this JVM, which is the
 * MiniCluster's.
 */
final class FailurePlan {

  /** Where a failure can be injected. */
  enum Point {
    /** A batch leaves {@link TokenBudgetBatcher} (on a record, a timer or before a barrier). */
    BATCH_EMITTED,
    /** {@link AnalyzeReviews} emits a result, part way through a batch. */
    RESULT_EMITTED,
    /** The results sink writes a record into its open Kafka transaction. */
    RESULT_WRITTEN,
    /** The results sink pre-commits its transaction for a checkpoint. */
    RESULTS_PRECOMMITTED,
    /** The dead-letter sink writes a record into its open Kafka transaction. */
    DEAD_LETTER_WRITTEN
  }

  /** Fail when {@code point} has seen {@code after} events in one subtask of a run. */
  record Failure(Point point, int after) {}

  /** A failure that fired: in which execution attempt, and where. */
  record Fired(Failure failure, int attempt, String subtask) {}

  /** What an injected failure throws. */
  static final class InjectedFailure extends RuntimeException {
    InjectedFailure(String message) {
      super(message);
    }
  }

  private static final Map<String, FailurePlan> PLANS = new ConcurrentHashMap<>();

  private final String name;
  private final List<Failure> failures;
  private final List<Fired> fired = new ArrayList<>();
  private int lastFiredAttempt = -1;

  private FailurePlan(String name, List<Failure> failures) {
    this.name = name;
    this.failures = List.copyOf(failures);
  }

  /** Registers a plan under {@code name}, replacing an older one. */
  static FailurePlan register(String name, List<Failure> failures) {
    FailurePlan plan = new FailurePlan(name, failures);
    PLANS.put(name, plan);
    return plan;
  }

  static FailurePlan named(String name) {
    FailurePlan plan = PLANS.get(name);
    if (plan == null) {
      throw new IllegalStateException("no failure plan named " + name);
    }
    return plan;
  }

  /**
   * {@code counts.get(p)} failures at each point {@code p}, in a seeded random order, each after a
   * seeded random number of events in {@code [1, maxAfter.get(p)]}.
   */
  static List<Failure> seeded(long seed, Map<Point, Integer> counts, Map<Point, Integer> maxAfter) {
    Random random = new Random(seed);
    List<Failure> failures = new ArrayList<>();
    for (Point point : Point.values()) {
      for (int i = 0; i < counts.getOrDefault(point, 0); i++) {
        failures.add(new Failure(point, 1 + random.nextInt(maxAfter.get(point))));
      }
    }
    Collections.shuffle(failures, random);
    return failures;
  }

  String name() {
    return name;
  }

  List<Failure> failures() {
    return failures;
  }

  /**
   * Called by a wrapped operator for its {@code count}-th event at {@code point} in this run.
   *
   * @throws InjectedFailure when the next failure of the plan is due here
   */
  synchronized void onEvent(Point point, int attempt, long count, String subtask) {
    if (fired.size() == failures.size() || attempt <= lastFiredAttempt) {
      return;
    }
    Failure next = failures.get(fired.size());
    if (next.point() == point && count >= next.after()) {
      fired.add(new Fired(next, attempt, subtask));
      lastFiredAttempt = attempt;
      throw new InjectedFailure(
          String.format(
              "injected failure %d/%d: %s after %d (attempt %d, %s)",
              fired.size(), failures.size(), point, count, attempt, subtask));
    }
  }

  synchronized List<Fired> fired() {
    return List.copyOf(fired);
  }

  synchronized boolean allFired() {
    return fired.size() == failures.size();
  }
}
