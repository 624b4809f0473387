package dev.narrowbert.kafka;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;

/**
 * When a starting {@link EmbeddedKafkaBroker} is ready: it names a node and lists its topics to an
 * admin client, asked every 100 ms until a deadline.
 */
final class BrokerReadiness {
  private BrokerReadiness() {}

  /**
   * Returns once the broker answers {@code admin}.
   *
   * @param fatalError the fatal error the broker reported, if any: it ends the wait at once
   * @throws TimeoutException if it does not answer within {@code timeout}; its cause is the last
   *     failed request, if any
   * @throws IllegalStateException if the broker reported a fatal error or the wait was interrupted
   */
  static void await(Admin admin, Duration timeout, Supplier<Optional<Throwable>> fatalError)
      throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      fatalError
          .get()
          .ifPresent(
              e -> {
                throw new IllegalStateException(e.getMessage(), e);
              });
      try {
        if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
          admin.listTopics().names().get(5, TimeUnit.SECONDS);
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the broker", e);
      } catch (ExecutionException | TimeoutException e) {
        last = e;
      }
      sleep();
    }
    TimeoutException timedOut = new TimeoutException();
    timedOut.initCause(last);
    throw timedOut;
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
