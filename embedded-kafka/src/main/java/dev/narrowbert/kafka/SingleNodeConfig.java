package dev.narrowbert.kafka;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code server.properties} of an {@link EmbeddedKafkaBroker}: one node that is broker and
 * KRaft controller at once, listening on loopback, with every internal topic at one replica so that
 * transactions work, and no topic created automatically.
 */
final class SingleNodeConfig {
  static final int NODE_ID = 1;
  static final String CONTROLLER_LISTENER = "CONTROLLER";

  private SingleNodeConfig() {}

  /**
   * The broker's settings: clients on {@code port} (TLS when {@code tls} is not null), the
   * controller on {@code controllerPort}, logs in {@code dataDirectory}, then {@code overrides}.
   */
  static Properties properties(
      int port,
      int controllerPort,
      Path dataDirectory,
      BrokerTls tls,
      Map<String, String> overrides) {
    Properties props = new Properties();
    String protocol = tls == null ? "PLAINTEXT" : "SSL";
    String listener = protocol + "://127.0.0.1:" + port;
    props.put("process.roles", "broker,controller");
    props.put("node.id", String.valueOf(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    props.put("listeners", listener + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", listener);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put(
        "listener.security.protocol.map",
        protocol + ":" + protocol + "," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", protocol);
    if (tls != null) {
      tls.addBrokerProperties(props);
    }
    props.put("log.dirs", dataDirectory.toAbsolutePath().toString());
    // A single node: every internal topic has one replica.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "4");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "1");
    props.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
    props.putAll(overrides);
    return props;
  }
}
