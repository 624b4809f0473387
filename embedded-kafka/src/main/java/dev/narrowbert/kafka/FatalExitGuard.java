package dev.narrowbert.kafka;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the in-process broker from killing its host JVM without a word.
 *
 * <p>On a fatal fault (a disk error, a metadata log it cannot load, a failed startup) Kafka's
 * server code calls {@link Exit#halt} or {@link Exit#exit}, which would end the demo, the Flink job
 * or the test that embeds the broker with no message. This guard replaces both procedures, once per
 * JVM: it prints the status and reason to stderr and the log, tells every listening broker, and
 * throws {@link FatalBrokerError} in the calling (broker) thread instead of ending the process. The
 * host decides what to do; {@code narrowbert kafka} exits with status 1.
 */
final class FatalExitGuard {
  private static final Logger LOG = LoggerFactory.getLogger(FatalExitGuard.class);
  private static final List<Consumer<FatalBrokerError>> LISTENERS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private FatalExitGuard() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    Exit.setExitProcedure((status, message) -> fail("exit", status, message));
    Exit.setHaltProcedure((status, message) -> fail("halt", status, message));
    installed = true;
  }

  static void addListener(Consumer<FatalBrokerError> listener) {
    LISTENERS.add(listener);
  }

  static void removeListener(Consumer<FatalBrokerError> listener) {
    LISTENERS.remove(listener);
  }

  private static void fail(String how, int status, String message) {
    FatalBrokerError error =
        new FatalBrokerError(
            "embedded Kafka broker hit a fatal error and asked to "
                + how
                + " the JVM (status "
                + status
                + "): "
                + (message == null ? "no reason given; see the broker log above" : message));
    System.err.println("ERROR: " + error.getMessage());
    LOG.error("{}", error.getMessage(), error);
    LISTENERS.forEach(listener -> listener.accept(error));
    throw error;
  }

  /** The error a guarded {@code Exit.halt/exit} throws instead of ending the JVM. */
  static final class FatalBrokerError extends RuntimeException {
    FatalBrokerError(String message) {
      super(message);
    }
  }
}
