package dev.narrowbert.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;

/** What a MiniCluster says about a job: restarts, failures, and its REST API's answers. */
final class JobHealth {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobHealth() {}

  /**
   * How many times the job restarted: the highest execution attempt number of any task (every
   * restart of this job's single pipelined region gives each task a new attempt).
   */
  static int restarts(MiniCluster cluster, JobID job) throws Exception {
    int restarts = 0;
    for (AccessExecutionVertex vertex :
        cluster.getArchivedExecutionGraph(job).get().getAllExecutionVertices()) {
      restarts = Math.max(restarts, vertex.getCurrentExecutionAttempt().getAttemptNumber());
    }
    return restarts;
  }

  /** The stack traces of the job's failures, oldest first ({@code /jobs/:id/exceptions}). */
  static List<String> failures(MiniCluster cluster, JobID job) throws Exception {
    List<String> failures = new ArrayList<>();
    JsonNode entries = JSON.readTree(rest(cluster, "/jobs/" + job + "/exceptions"));
    for (JsonNode entry : entries.path("exceptionHistory").path("entries")) {
      failures.add(0, entry.path("stacktrace").asText());
    }
    return failures;
  }

  /** The body of a GET on the cluster's REST API, e.g. {@code /jobs/:id/config}. */
  static String rest(MiniCluster cluster, String path) throws Exception {
    URI base = cluster.getRestAddress().get();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + response.statusCode() + response.body());
    }
    return response.body();
  }
}
