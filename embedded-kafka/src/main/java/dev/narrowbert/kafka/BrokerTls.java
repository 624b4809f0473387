package dev.narrowbert.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The TLS side of an {@link EmbeddedKafkaBroker} (see {@link EmbeddedKafkaBroker.Builder#tls}): the
 * PKCS12 key and trust stores with their one password, the broker settings that make its client
 * listener speak TLS, and what a client needs to trust it.
 */
record BrokerTls(Path keyStore, Path trustStore, String password) {
  BrokerTls {
    for (Path store : List.of(keyStore, trustStore)) {
      if (!Files.isRegularFile(store)) {
        throw new IllegalArgumentException("no key or trust store file at " + store);
      }
    }
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("the stores need a password");
    }
  }

  /** Sets the broker's key store, and its trust store: it reaches its own listener too. */
  void addBrokerProperties(Properties props) {
    // The broker reaches its own client listener too (transaction markers), so it trusts it.
    props.put("ssl.keystore.type", "PKCS12");
    props.put("ssl.keystore.location", keyStore.toAbsolutePath().toString());
    props.put("ssl.keystore.password", password);
    props.put("ssl.key.password", password);
    props.put("ssl.truststore.type", "PKCS12");
    props.put("ssl.truststore.location", trustStore.toAbsolutePath().toString());
    props.put("ssl.truststore.password", password);
    props.put("ssl.client.auth", "none");
  }

  /** {@code security.protocol=SSL} and the trust store (location, type, password). */
  Map<String, String> clientProperties() {
    return Map.of(
        "security.protocol",
        "SSL",
        "ssl.truststore.location",
        trustStore.toAbsolutePath().toString(),
        "ssl.truststore.type",
        "PKCS12",
        "ssl.truststore.password",
        password);
  }

  @Override
  public String toString() {
    return "Tls[keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
  }
}
