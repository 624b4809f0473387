package dev.narrowbert.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Kafka broker in this JVM: {@link KafkaRaftServer} in KRaft combined mode
 * (broker and controller in one node), on free loopback ports, with its storage formatted the way
 * {@code kafka-storage.sh format} does it.
 *
 * <p>It is the broker of the demo, of the integration tests and of {@code narrowbert kafka}. It
 * supports transactions (one replica, one in-sync replica), so exactly-once producers and {@code
 * read_committed} consumers work. {@link #stop()} keeps ports and data so that {@link #start()} can
 * bring the same broker back (to test outages); {@link #close()} also deletes the data directory
 * when this broker created it.
 *
 * <p>By default clients connect in plaintext. With {@link Builder#tls} the client port speaks TLS
 * only, and clients need {@link #clientProperties()} (the trust store) besides {@link
 * #bootstrapServers()}.
 *
 * <p>This class is the broker's lifecycle (start with port re-picking, readiness, stop, close) and
 * its {@link Builder}, which stays nested because callers name it; the parts it runs on live beside
 * it: {@link SingleNodeConfig} (its settings), {@link KraftStorage} (formatting and the data
 * directory), {@link BrokerTls}, {@link LoopbackPorts} and {@link TopicCreation}.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().topic("reviews", 4).build()) {
 *   kafka.start();
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int PORT_ATTEMPTS = 3;

  private final Path dataDirectory;
  private final boolean ownsDataDirectory;
  private final Map<String, String> brokerOverrides;
  private final List<NewTopic> topics;
  private final Duration startupTimeout;
  private final BrokerTls tls;
  private final AtomicReference<Throwable> fatalError = new AtomicReference<>();
  private final Consumer<FatalExitGuard.FatalBrokerError> fatalListener =
      e -> fatalError.compareAndSet(null, e);

  private final boolean picksPort;
  private final boolean picksControllerPort;
  private int port;
  private int controllerPort;
  private boolean portsBound;
  private KafkaRaftServer server;

  private EmbeddedKafkaBroker(Builder builder) {
    this.ownsDataDirectory = builder.dataDirectory == null;
    this.dataDirectory =
        builder.dataDirectory != null ? builder.dataDirectory : KraftStorage.createTempDirectory();
    this.port = builder.port;
    this.controllerPort = builder.controllerPort;
    this.picksPort = builder.port == 0;
    this.picksControllerPort = builder.controllerPort == 0;
    this.brokerOverrides = Map.copyOf(builder.brokerOverrides);
    this.topics = List.copyOf(builder.topics);
    this.startupTimeout = builder.startupTimeout;
    this.tls = builder.tls;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the storage if it is new, starts the broker and waits until clients can use it, then
   * creates the configured topics (existing ones are kept). Can be called again after {@link
   * #stop()}: the broker comes back on the same ports with the same data. A port it picked itself
   * and found taken by another process before it could bind it is picked again (up to {@value
   * #PORT_ATTEMPTS} times in all) on the first start.
   *
   * @throws IllegalStateException if the broker does not become ready within the startup timeout
   */
  public synchronized EmbeddedKafkaBroker start() {
    if (server != null) {
      return this;
    }
    FatalExitGuard.install();
    FatalExitGuard.addListener(fatalListener);
    for (int attempt = 1; server == null; attempt++) {
      fatalError.set(null);
      if (port == 0) {
        port = LoopbackPorts.free();
      }
      if (controllerPort == 0) {
        controllerPort = LoopbackPorts.free();
      }
      KafkaConfig config =
          KafkaConfig.fromProps(
              SingleNodeConfig.properties(
                  port, controllerPort, dataDirectory, tls, brokerOverrides));
      KraftStorage.formatIfNew(dataDirectory, config);
      KafkaRaftServer started = new KafkaRaftServer(config, Time.SYSTEM);
      try {
        started.startup();
        server = started;
      } catch (RuntimeException e) {
        shutdownQuietly(started);
        boolean repick =
            !portsBound && (picksPort || picksControllerPort) && LoopbackPorts.isTaken(e);
        if (repick && attempt < PORT_ATTEMPTS) {
          // Another process took a port between LoopbackPorts.free() and the bind (shared CI
          // machines).
          LOG.warn("A port picked for the embedded Kafka broker was taken; picking again: {}", e);
          port = picksPort ? 0 : port;
          controllerPort = picksControllerPort ? 0 : controllerPort;
          continue;
        }
        FatalExitGuard.removeListener(fatalListener);
        throw new IllegalStateException(
            "embedded Kafka broker failed to start on port " + port + ": " + e.getMessage(), e);
      }
    }
    portsBound = true;
    awaitReady();
    createTopics(topics);
    LOG.info("Embedded Kafka broker ready at {} (data in {})", bootstrapServers(), dataDirectory);
    return this;
  }

  /** Stops the broker, keeping its ports and data for a later {@link #start()}. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    shutdownQuietly(server);
    server = null;
    FatalExitGuard.removeListener(fatalListener);
  }

  /** Stops the broker and deletes its data directory if this broker created it. */
  @Override
  public synchronized void close() {
    stop();
    if (ownsDataDirectory) {
      KraftStorage.delete(dataDirectory);
    }
  }

  /** {@code host:port} for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    if (port == 0) {
      throw new IllegalStateException("broker not started yet");
    }
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  /** The fatal error the broker reported instead of ending the JVM, if any (see FatalExitGuard). */
  public Optional<Throwable> fatalError() {
    return Optional.ofNullable(fatalError.get());
  }

  /** Creates topics on the running broker; topics that already exist are left as they are. */
  public void createTopics(List<NewTopic> newTopics) {
    if (newTopics.isEmpty()) {
      return;
    }
    try (Admin admin = admin()) {
      TopicCreation.createMissing(admin, newTopics);
    }
  }

  /**
   * What a client of this broker needs besides {@code bootstrap.servers}: nothing in plaintext;
   * with TLS, {@code security.protocol=SSL} and the trust store (location, type, password).
   */
  public Map<String, String> clientProperties() {
    return tls == null ? Map.of() : tls.clientProperties();
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    Map<String, Object> config = new HashMap<>(clientProperties());
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    return Admin.create(config);
  }

  private void awaitReady() {
    try (Admin admin = admin()) {
      BrokerReadiness.await(admin, startupTimeout, this::fatalError);
    } catch (TimeoutException e) {
      stop();
      Throwable last = e.getCause();
      throw new IllegalStateException(
          "embedded Kafka broker on port "
              + port
              + " not ready after "
              + startupTimeout.toSeconds()
              + " s"
              + (last == null ? "" : ": " + last.getMessage()),
          last);
    }
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.warn("Error while stopping the embedded Kafka broker", e);
    }
  }

  /** Settings for an {@link EmbeddedKafkaBroker}; all optional. */
  public static final class Builder {
    private int port;
    private int controllerPort;
    private Path dataDirectory;
    private final Map<String, String> brokerOverrides = new HashMap<>();
    private final List<NewTopic> topics = new ArrayList<>();
    private Duration startupTimeout = Duration.ofSeconds(60);
    private BrokerTls tls;

    private Builder() {}

    /** The client port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** The KRaft controller port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder controllerPort(int controllerPort) {
      if (controllerPort < 0 || controllerPort > 65535) {
        throw new IllegalArgumentException(
            "controller port must be in 0..65535, got " + controllerPort);
      }
      this.controllerPort = controllerPort;
      return this;
    }

    /**
     * Where the broker keeps its logs; kept on close. By default a new temporary directory under
     * {@code java.io.tmpdir}, deleted on close.
     */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = dataDirectory;
      return this;
    }

    /** A broker setting (server.properties key) to set or override. */
    public Builder brokerProperty(String key, String value) {
      brokerOverrides.put(key, value);
      return this;
    }

    /** A topic to create on start, with one replica. */
    public Builder topic(String name, int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("topic " + name + " needs at least 1 partition");
      }
      topics.add(new NewTopic(name, partitions, (short) 1));
      return this;
    }

    /**
     * Serves clients over TLS only (listener {@code SSL}) instead of plaintext. {@code keyStore}
     * holds the broker's private key and certificate, whose subject alternative names must cover
     * 127.0.0.1 (clients verify the host name); {@code trustStore} holds the certificates the
     * broker and {@link #clientProperties()} trust. Both are PKCS12 files with the one {@code
     * password}. Clients are not asked for certificates. The KRaft controller listener stays
     * plaintext on loopback; clients never reach it.
     */
    public Builder tls(Path keyStore, Path trustStore, String password) {
      this.tls = new BrokerTls(keyStore, trustStore, password);
      return this;
    }

    public Builder startupTimeout(Duration startupTimeout) {
      this.startupTimeout = startupTimeout;
      return this;
    }

    public EmbeddedKafkaBroker build() {
      return new EmbeddedKafkaBroker(this);
    }
  }
}
