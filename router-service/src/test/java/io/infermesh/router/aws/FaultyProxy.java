package io.infermesh.router.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.infermesh.localinfra.MotoServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An HTTP proxy in front of the moto server that can answer like a refusing AWS instead, to see what the router does
 * when a real backend pushes back: throttling (HTTP 429, {@code TooManyRequestsException}), or any other error AWS
 * answers with (an access denied, a fault), in AWS's own JSON error format; and a Batch job that AWS reports FAILED
 * with a status reason. moto itself never throttles, enforces no permissions, and fails no Batch job with a reason
 * without Docker.
 */
public final class FaultyProxy implements AutoCloseable {

    private static final Set<String> HOP_BY_HOP =
            Set.of("host", "content-length", "connection", "expect", "transfer-encoding", "upgrade");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * How AWS refuses a request.
     *
     * @param prefix the request paths it applies to
     * @param status the HTTP status
     * @param errorType the error code ({@code x-amzn-ErrorType})
     * @param message AWS's own explanation, in the body
     */
    private record Refusal(String prefix, int status, String errorType, String message) {}

    /**
     * What AWS Batch says of a failed job, written over moto's answer to DescribeJobs.
     *
     * @param statusReason the job's {@code statusReason}
     * @param exitCode the container's exit code, or null
     * @param containerReason the container's {@code reason}, or null
     */
    public record BatchFailure(String statusReason, Integer exitCode, String containerReason) {}

    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private volatile boolean throttling;
    private volatile String throttledPrefix = "/";
    private volatile Refusal refusal;
    private final AtomicInteger throttled = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final Map<String, BatchFailure> failedBatchJobs = new ConcurrentHashMap<>();

    public FaultyProxy() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void throttle(boolean on) {
        throttling = on;
    }

    /** Throttles only requests whose path starts with {@code prefix} (e.g. Lambda's {@code /2015-03-31/functions}). */
    public void throttleOnly(String prefix) {
        throttledPrefix = prefix;
        throttling = true;
    }

    public int throttledCalls() {
        return throttled.get();
    }

    /**
     * Answers requests whose path starts with {@code prefix} as AWS answers a refusal: {@code status}, the error code
     * in {@code x-amzn-ErrorType} and AWS's {@code message} in the body, until {@link #stopRefusing}.
     */
    public void refuse(String prefix, int status, String errorType, String message) {
        refusal = new Refusal(prefix, status, errorType, message);
    }

    public void stopRefusing() {
        refusal = null;
    }

    public int refusedCalls() {
        return refused.get();
    }

    /** From now on, DescribeJobs reports the Batch job named {@code jobName} FAILED, as {@code failure} says. */
    public void failBatchJob(String jobName, BatchFailure failure) {
        failedBatchJobs.put(jobName, failure);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        if (throttling && path.startsWith(throttledPrefix)) {
            throttled.incrementAndGet();
            answer(
                    exchange,
                    429,
                    "TooManyRequestsException",
                    "{\"Type\":\"User\",\"message\":\"Rate Exceeded.\","
                            + "\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"}");
            return;
        }
        Refusal refusing = refusal;
        if (refusing != null && path.startsWith(refusing.prefix())) {
            refused.incrementAndGet();
            ObjectNode error = JSON.createObjectNode().put("Type", "User").put("message", refusing.message());
            answer(exchange, refusing.status(), refusing.errorType(), JSON.writeValueAsString(error));
            return;
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(
                        MotoServer.endpoint().resolve(exchange.getRequestURI().toString()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> forward.header(name, v));
            }
        });
        try {
            HttpResponse<byte[]> response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                }
            });
            byte[] answer = response.body();
            if (path.equals("/v1/describejobs") && response.statusCode() == 200 && !failedBatchJobs.isEmpty()) {
                answer = failJobs(answer);
            }
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(502, -1);
        }
    }

    /** moto's DescribeJobs answer, with the jobs to fail FAILED as AWS Batch reports them. */
    private byte[] failJobs(byte[] describeJobs) {
        JsonNode answer = JSON.readTree(describeJobs);
        for (JsonNode job : answer.path("jobs")) {
            BatchFailure failure = failedBatchJobs.get(job.path("jobName").asString(""));
            if (failure != null && job instanceof ObjectNode detail) {
                detail.put("status", "FAILED").put("statusReason", failure.statusReason());
                ObjectNode container = detail.has("container") && detail.get("container") instanceof ObjectNode c
                        ? c
                        : detail.putObject("container");
                if (failure.exitCode() != null) {
                    container.put("exitCode", failure.exitCode());
                }
                if (failure.containerReason() != null) {
                    container.put("reason", failure.containerReason());
                }
                container.put(
                        "logStreamName",
                        "infermesh-worker/default/" + job.path("jobId").asString(""));
            }
        }
        return JSON.writeValueAsBytes(answer);
    }

    private static void answer(HttpExchange exchange, int status, String errorType, String body) throws IOException {
        byte[] error = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("x-amzn-ErrorType", errorType);
        exchange.sendResponseHeaders(status, error.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(error);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
