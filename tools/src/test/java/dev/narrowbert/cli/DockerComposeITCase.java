package dev.narrowbert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.narrowbert.checkpoint.DefaultModel;
import dev.narrowbert.job.JobOptions;
import dev.narrowbert.job.ReviewAnalysisJob;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot run here (no Docker engine), so this keeps it from rotting: its
 * services, images (the versions we build against), ports, the job jar and the DJL jar for Flink's
 * lib/ that it mounts must match the build.
 */
class DockerComposeITCase {
  private static final String JAR_IN_CONTAINER = "/opt/flink/usrlib/narrowbert-flink-job.jar";
  private static final String MODEL_IN_CONTAINER = "/opt/narrowbert/models/default";
  private static final String DJL_LIB_IN_CONTAINER = "/opt/flink/lib/narrowbert-djl-lib.jar";

  private static Path root;
  private static Map<String, Map<String, Object>> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parse() throws Exception {
    root = Path.of(System.getProperty("narrowbert.root"));
    try (Reader reader = Files.newBufferedReader(root.resolve("docker-compose.yml"))) {
      Map<String, Object> compose = new Yaml().load(reader);
      services = (Map<String, Map<String, Object>>) compose.get("services");
    }
  }

  @Test
  void declaresKafkaAndAFlinkClusterWithOfficialImagesOfOurVersions() {
    assertThat(services).containsKeys("kafka", "jobmanager", "taskmanager", "submit");
    assertThat(services.get("kafka").get("image"))
        .isEqualTo("apache/kafka:" + System.getProperty("kafka.version"));
    String flinkImage = "flink:" + System.getProperty("flink.version") + "-scala_2.12-java17";
    assertThat(services.get("jobmanager").get("image")).isEqualTo(flinkImage);
    assertThat(services.get("taskmanager").get("image")).isEqualTo(flinkImage);
    assertThat(services.get("jobmanager").get("command")).isEqualTo("jobmanager");
    assertThat(services.get("taskmanager").get("command")).isEqualTo("taskmanager");
  }

  @Test
  void publishesKafkaAndFlinkUiPorts() {
    assertThat(ports("kafka")).contains("9092:9092");
    assertThat(ports("jobmanager")).contains("8081:8081");
  }

  @Test
  void mountsTheJobJarThatTheBuildProduces() throws Exception {
    Path builtJar = Path.of(System.getProperty("narrowbert.job.jar"));
    assertThat(builtJar).as("the shaded job jar is built before integration tests").isRegularFile();
    try (JarFile jar = new JarFile(builtJar.toFile())) {
      assertThat(jar.getEntry("dev/narrowbert/schema/Review.class")).isNotNull();
      assertThat(jar.getEntry("org/apache/flink/connector/kafka/sink/KafkaSink.class")).isNotNull();
      assertThat(jar.getEntry("kafka/server/KafkaRaftServer.class"))
          .as("the local broker stays out of the job jar")
          .isNull();
    }
    for (String service : List.of("jobmanager", "taskmanager", "submit")) {
      Map<String, Path> mounts = readOnlyMounts(service);
      assertThat(mounts).as("mounts of %s", service).containsKeys(JAR_IN_CONTAINER);
      assertThat(mounts.get(JAR_IN_CONTAINER)).isEqualTo(builtJar.normalize());
      assertThat(mounts.get(MODEL_IN_CONTAINER))
          .isEqualTo(root.resolve(DefaultModel.RELATIVE_PATH).normalize());
    }
  }

  @Test
  void putsTheDjlJarThatTheBuildProducesIntoFlinksLib() throws Exception {
    Path builtJar = Path.of(System.getProperty("narrowbert.djl.lib.jar"));
    assertThat(builtJar).as("djl-lib builds the jar before integration tests").isRegularFile();
    try (JarFile jar = new JarFile(builtJar.toFile())) {
      assertThat(jar.stream().map(JarEntry::getName))
          .as("DJL, PyTorch's engine, JNI part and CPU natives, and what DJL needs")
          .contains(
              "ai/djl/engine/Engine.class",
              "ai/djl/pytorch/engine/PtEngine.class",
              "ai/djl/pytorch/jni/PyTorchLibrary.class",
              "native/lib/pytorch.properties",
              "com/google/gson/Gson.class",
              "com/sun/jna/Native.class")
          .as("Flink's lib/ has SLF4J and its own commons-compress and commons-io")
          .noneMatch(name -> name.startsWith("org/slf4j/"))
          .noneMatch(name -> name.startsWith("org/apache/commons/"))
          .anyMatch(name -> name.startsWith("ai/djl/repackaged/org/apache/commons/compress/"))
          .as("the job stays in the job jar")
          .noneMatch(name -> name.startsWith("dev/narrowbert/"));
    }
    for (String service : List.of("jobmanager", "taskmanager")) {
      assertThat(readOnlyMounts(service))
          .as("mounts of %s", service)
          .containsEntry(DJL_LIB_IN_CONTAINER, builtJar.normalize());
    }
    assertThat(readOnlyMounts("submit"))
        .as("`flink run` runs the job's main once per JVM: the job jar's DJL does")
        .doesNotContainKey(DJL_LIB_IN_CONTAINER);
  }

  @Test
  void submitsTheJobJarsMainClassWithValidSettings() throws Exception {
    try (JarFile jar = new JarFile(System.getProperty("narrowbert.job.jar"))) {
      String mainClass = jar.getManifest().getMainAttributes().getValue("Main-Class");
      assertThat(mainClass).isEqualTo(ReviewAnalysisJob.class.getName());
      assertThat(jar.getEntry(mainClass.replace('.', '/') + ".class")).isNotNull();
    }
    @SuppressWarnings("unchecked")
    List<String> command = (List<String>) services.get("submit").get("command");
    assertThat(command.subList(0, 2)).containsExactly("flink", "run");
    List<String> jobArgs = command.subList(command.indexOf(JAR_IN_CONTAINER) + 1, command.size());
    for (int i = 0; i < jobArgs.size(); i += 2) {
      assertThat(jobArgs.get(i)).startsWith("--");
      assertThat(JobOptions.KEYS).contains(jobArgs.get(i).substring(2));
    }
    assertThat(jobArgs).containsSubsequence("--bootstrap-servers", "kafka:19092");
    assertThat(jobArgs).containsSubsequence("--model", MODEL_IN_CONTAINER);
  }

  @Test
  void flinkLoadsDjlParentFirstAndFindsTheJobManager() {
    for (String service : List.of("jobmanager", "taskmanager")) {
      String properties = flinkProperties(service);
      assertThat(properties)
          .contains("jobmanager.rpc.address: jobmanager")
          .contains("classloader.parent-first-patterns.additional: ai.djl.")
          .contains("pipeline.generic-types: false");
    }
    assertThat(services.get("jobmanager").get("hostname")).isEqualTo("jobmanager");
  }

  @Test
  void kafkaAdvertisesAnAddressForTheHostAndOneForTheContainers() {
    @SuppressWarnings("unchecked")
    Map<String, Object> env = (Map<String, Object>) services.get("kafka").get("environment");
    assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
    assertThat((String) env.get("KAFKA_ADVERTISED_LISTENERS"))
        .contains("localhost:9092")
        .contains("kafka:19092");
  }

  /** A service's {@code HOST:CONTAINER:ro} volumes: container path to host path. */
  @SuppressWarnings("unchecked")
  private static Map<String, Path> readOnlyMounts(String service) {
    Map<String, Path> mounts = new HashMap<>();
    for (String volume : (List<String>) services.get(service).get("volumes")) {
      String[] parts = volume.split(":");
      assertThat(parts).as("volume %s of %s", volume, service).hasSize(3);
      assertThat(parts[2]).as("volume %s of %s", volume, service).isEqualTo("ro");
      mounts.put(parts[1], root.resolve(parts[0]).normalize());
    }
    return mounts;
  }

  @SuppressWarnings("unchecked")
  private static List<String> ports(String service) {
    return (List<String>) services.get(service).get("ports");
  }

  @SuppressWarnings("unchecked")
  private static String flinkProperties(String service) {
    return (String)
        ((Map<String, Object>) services.get(service).get("environment")).get("FLINK_PROPERTIES");
  }
}
