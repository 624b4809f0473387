package dev.narrowbert.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A fresh self-signed certificate for 127.0.0.1 and localhost, made with the JDK's {@code keytool}:
 * a PKCS12 key store with the private key and certificate (for the broker) and a PKCS12 trust store
 * with the certificate (for clients), ready for {@link EmbeddedKafkaBroker.Builder#tls}. It lives
 * in main code, not in a test jar, so that no module's build needs another module's test classes
 * (the launcher builds with {@code -Dmaven.test.skip=true}, which makes no test jars). keytool
 * ships with every JDK, so this needs no library (no BouncyCastle on our class path) and no
 * internal JDK classes; Kafka reads PKCS12 directly. The password is random and travels to keytool
 * through its environment, never its command line.
 *
 * @param password the password of both stores and of the key
 */
public record TlsStores(Path keyStore, Path trustStore, String password) {

  /** Creates {@code broker.p12}, {@code broker.crt} and {@code truststore.p12} in {@code dir}. */
  public static TlsStores create(Path dir) {
    String password = "pw-" + UUID.randomUUID();
    Path keyStore = dir.resolve("broker.p12");
    Path certificate = dir.resolve("broker.crt");
    Path trustStore = dir.resolve("truststore.p12");
    keytool(
        password,
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-validity",
        "2",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-keystore",
        keyStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass:env",
        "STORE_PASSWORD",
        "-keypass:env",
        "STORE_PASSWORD");
    keytool(
        password,
        "-exportcert",
        "-rfc",
        "-alias",
        "broker",
        "-file",
        certificate.toString(),
        "-keystore",
        keyStore.toString(),
        "-storepass:env",
        "STORE_PASSWORD");
    keytool(
        password,
        "-importcert",
        "-noprompt",
        "-alias",
        "broker",
        "-file",
        certificate.toString(),
        "-keystore",
        trustStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass:env",
        "STORE_PASSWORD");
    return new TlsStores(keyStore, trustStore, password);
  }

  /** Hides the password from printing and logging. */
  @Override
  public String toString() {
    return "TlsStores[keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
  }

  private static void keytool(String password, String... args) {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("STORE_PASSWORD", password);
    try {
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + keytool, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }
}
