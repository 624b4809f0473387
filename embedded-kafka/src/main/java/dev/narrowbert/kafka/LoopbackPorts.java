package dev.narrowbert.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free ports on 127.0.0.1 for an {@link EmbeddedKafkaBroker}, and how to tell that one was taken
 * after all: between picking a port and binding it, another process may take it.
 */
final class LoopbackPorts {
  private LoopbackPorts() {}

  /** A port that was free on the loopback address a moment ago. */
  static int free() {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Whether {@code failure} (or a cause) says that a port to listen on is in use. */
  static boolean isTaken(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof BindException
          || String.valueOf(e.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }
}
