package io.infermesh.mesh;

import static org.awaitility.Awaitility.await;

import io.infermesh.ingest.jobs.Inbox;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How the end-to-end tests act as a user: upload to the mesh's bucket, read jobs from status-service's REST API with
 * the operator machine client's token (these tests read many owners' jobs; isolation has tests of its own).
 */
final class StatusApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private StatusApi() {}

    /** Uploads an object to the mesh's bucket; returns the job id it becomes. */
    static String upload(S3Client s3, String key, byte[] bytes, String contentType) {
        var response = s3.putObject(
                b -> b.bucket(LocalMesh.BUCKET).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
        return Inbox.jobId(LocalMesh.BUCKET, key, response.eTag().replace("\"", ""));
    }

    /** Polls {@code GET /api/jobs/{id}} until the job satisfies {@code done}; returns the last view. */
    static JsonNode awaitJob(LocalMesh mesh, String jobId, Predicate<JsonNode> done) {
        String url = mesh.url("status-service") + "/api/jobs/" + jobId;
        String token = mesh.identity().operatorToken();
        List<JsonNode> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    var response = HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        return false;
                    }
                    JsonNode job = JSON.readTree(response.body());
                    seen.add(job);
                    return done.test(job);
                });
        return seen.getLast();
    }

    /** A GET returning JSON, as the mesh's operator machine client. */
    static JsonNode getJson(LocalMesh mesh, String url) throws IOException, InterruptedException {
        var response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + mesh.identity().operatorToken())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }
}
