package io.infermesh.faults;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The mesh as a client sees it: uploads and the results bucket through the S3 API, jobs through status-service's
 * REST API with an operator's token. Nothing here reads a service's internals.
 */
final class Outside implements AutoCloseable {

    static final String BUCKET = "infermesh";

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final S3Client s3;
    private final String statusUrl;
    private final Supplier<String> operatorToken;
    private String token;

    Outside(String s3Endpoint, String accessKey, String secretKey, String statusUrl, Supplier<String> operatorToken) {
        this.s3 = S3Client.builder()
                .endpointOverride(URI.create(s3Endpoint))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
        this.statusUrl = statusUrl;
        this.operatorToken = operatorToken;
    }

    /** One upload; throws when the endpoint does not take it (the workload retries). */
    void upload(String key, byte[] bytes, String contentType) {
        s3.putObject(b -> b.bucket(BUCKET).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    /** Every job of one owner, all pages; throws when status-service does not answer 200. */
    List<Checks.ApiJob> jobs(String owner) {
        List<Checks.ApiJob> jobs = new ArrayList<>();
        String cursor = null;
        do {
            String query = "owner=" + URLEncoder.encode(owner, StandardCharsets.UTF_8) + "&limit=1000"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            JsonNode page = get(URI.create(statusUrl + "/api/jobs?" + query));
            for (JsonNode job : page.path("jobs")) {
                jobs.add(new Checks.ApiJob(
                        job.path("jobId").asString(),
                        job.path("input").path("key").asString(""),
                        job.path("status").asString(),
                        job.path("attempt").asInt()));
            }
            JsonNode next = page.path("nextCursor");
            cursor = next.isNull() || next.isMissingNode() ? null : next.asString();
        } while (cursor != null);
        return jobs;
    }

    /** Every {@code result.json} of one owner under {@code results/<model>/<owner>/<jobId>/}, read and parsed. */
    List<Checks.ResultFile> resultFiles(String owner) {
        List<Checks.ResultFile> files = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("results/"))
                .contents()) {
            String[] parts = object.key().split("/");
            if (parts.length != 5 || !parts[2].equals(owner) || !parts[4].equals("result.json")) {
                continue;
            }
            String jobId = parts[3];
            boolean readable;
            try {
                JsonNode result =
                        json.readTree(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(object.key()))
                                .asByteArray());
                readable = result.isObject()
                        && (!result.has("jobId")
                                || jobId.equals(result.path("jobId").asString()));
            } catch (RuntimeException e) {
                readable = false;
            }
            files.add(new Checks.ResultFile(jobId, readable));
        }
        return files;
    }

    private JsonNode get(URI uri) {
        for (int tries = 0; ; tries++) {
            if (token == null) {
                token = operatorToken.get();
            }
            HttpResponse<String> response;
            try {
                response = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException("GET " + uri + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (response.statusCode() == 401 && tries == 0) {
                token = null; // expired: one more try with a fresh token
                continue;
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
            }
            return json.readTree(response.body());
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
