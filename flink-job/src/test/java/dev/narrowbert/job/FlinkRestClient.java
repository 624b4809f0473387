package dev.narrowbert.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The calls of Flink's REST API that the cluster tests make, as an operator's tooling makes them:
 * upload a job jar ({@code POST /jars/upload}), run it ({@code POST /jars/:jarid/run}), then watch
 * the job ({@code /jobs/:jobid}, its metrics and its exception history).
 */
final class FlinkRestClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  FlinkRestClient(URI base) {
    this.base = base;
  }

  /** Whether the REST endpoint answers. */
  boolean isUp() throws InterruptedException {
    try {
      return http.send(get("/overview"), BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The resource ids of the registered TaskManagers. */
  List<String> taskManagers() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    call(get("/taskmanagers")).path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
    return ids;
  }

  /** Uploads a job jar; returns its id on the cluster. */
  String uploadJar(Path jar) throws IOException, InterruptedException {
    String boundary = "narrowbert-" + UUID.randomUUID();
    String head =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
            + jar.getFileName()
            + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
    String tail = "\r\n--" + boundary + "--\r\n";
    HttpRequest upload =
        HttpRequest.newBuilder(base.resolve("/jars/upload"))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(
                BodyPublishers.concat(
                    BodyPublishers.ofString(head),
                    BodyPublishers.ofFile(jar),
                    BodyPublishers.ofString(tail)))
            .build();
    String stored = call(upload).path("filename").asText();
    return Path.of(stored).getFileName().toString();
  }

  /** Runs the main class of an uploaded jar with these arguments; returns the job id. */
  String runJar(String jarId, List<String> programArgs) throws IOException, InterruptedException {
    String body = JSON.writeValueAsString(Map.of("programArgsList", programArgs));
    HttpRequest run =
        HttpRequest.newBuilder(base.resolve("/jars/" + jarId + "/run"))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return call(run).path("jobid").asText();
  }

  /** {@code GET /jobs/:jobid}: state, vertices and their states, state timestamps. */
  JsonNode job(String jobId) throws IOException, InterruptedException {
    return call(get("/jobs/" + jobId));
  }

  /** Whether the job and every one of its vertices (all their subtasks) are RUNNING. */
  boolean isFullyRunning(String jobId) throws IOException, InterruptedException {
    JsonNode job = job(jobId);
    if (!job.path("state").asText().equals("RUNNING")) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (!vertex.path("status").asText().equals("RUNNING")) {
        return false;
      }
    }
    return true;
  }

  /** The job's {@code numRestarts} metric (-1 while the JobManager has not reported it yet). */
  long restarts(String jobId) throws IOException, InterruptedException {
    for (JsonNode metric : call(get("/jobs/" + jobId + "/metrics?get=numRestarts"))) {
      if (metric.path("id").asText().equals("numRestarts")) {
        return metric.path("value").asLong(-1);
      }
    }
    return -1;
  }

  /** The exception history of the job: "NAME: where" for each failure that restarted it. */
  List<String> failures(String jobId) throws IOException, InterruptedException {
    List<String> failures = new ArrayList<>();
    for (JsonNode entry :
        call(get("/jobs/" + jobId + "/exceptions?maxExceptions=20"))
            .path("exceptionHistory")
            .path("entries")) {
      failures.add(
          entry.path("exceptionName").asText()
              + ": "
              + entry.path("taskName").asText("(job)")
              + " on "
              + entry.path("endpoint").asText("?"));
    }
    return failures;
  }

  void cancel(String jobId) throws IOException, InterruptedException {
    call(
        HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
            .timeout(Duration.ofSeconds(30))
            .method("PATCH", BodyPublishers.noBody())
            .build());
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build();
  }

  private JsonNode call(HttpRequest request) throws IOException, InterruptedException {
    var response = http.send(request, BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          request.method()
              + " "
              + request.uri()
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }
}
