package io.infermesh.gateway.jobs;

import io.infermesh.gateway.web.Problems;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;

/**
 * status-service, called with the signed-in person's access token, so that what they may see is status-service's
 * decision (ADR 0014) before it is the gateway's. Its JSON answers pass through (status, media type, body, nothing
 * else); a refused token is {@link TokenRefused}; being down, slower than {@code infermesh.gateway.status-timeout},
 * failing (5xx) or answering a success that is not JSON is a 502 problem.
 */
class StatusService {

    /** The most of a refusal's body that is read and relayed. */
    private static final int MAX_REFUSAL = 64 * 1024;

    /**
     * What status-service answered.
     *
     * @param status the HTTP status
     * @param contentType its media type
     * @param body the body, as sent
     */
    record Answer(int status, MediaType contentType, byte[] body) {

        boolean ok() {
            return status / 100 == 2;
        }

        /** The answer for the browser: the same status, media type and bytes. */
        ResponseEntity<byte[]> relay() {
            return ResponseEntity.status(status).contentType(contentType).body(body);
        }
    }

    /** status-service answered something other than success: the gateway relays it as it is. */
    static final class Refusal extends RuntimeException {
        final Answer answer;

        Refusal(Answer answer) {
            super("status-service answered " + answer.status(), null, false, false);
            this.answer = answer;
        }
    }

    /** status-service answered 401: the person's token is no good any more (expired, revoked, another key). */
    static final class TokenRefused extends RuntimeException {
        TokenRefused() {
            super("status-service refused the access token", null, false, false);
        }
    }

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    StatusService(URI base, Duration timeout) {
        this.base = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    /**
     * One call and its whole answer within the timeout.
     *
     * @param method GET or POST (a POST has no body)
     * @param relative the path and query, relative to status-service's base URL
     */
    Answer call(String method, String relative, String accessToken) {
        HttpRequest request = request(relative, accessToken, "application/json, application/problem+json")
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        CompletableFuture<HttpResponse<byte[]>> pending =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> response;
        try {
            response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw unavailable("did not answer within " + seconds(timeout));
        } catch (ExecutionException e) {
            throw unavailable(
                    e.getCause() instanceof HttpTimeoutException
                            ? "did not answer within " + seconds(timeout)
                            : "could not be reached");
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw unavailable("was not waited for (the gateway is stopping)");
        }
        return answer(
                response.statusCode(),
                response.headers().firstValue(HttpHeaders.CONTENT_TYPE).orElse(null),
                response.body());
    }

    /**
     * Opens the live stream: its events once status-service has answered 200 with its headers (within the timeout;
     * the events themselves come as they come). The caller reads and closes them; closing ends the upstream
     * connection.
     *
     * @throws Refusal when status-service refuses the stream (a bad Last-Event-ID, say)
     */
    InputStream stream(String relative, String accessToken, String lastEventId) {
        HttpRequest.Builder request = request(relative, accessToken, MediaType.TEXT_EVENT_STREAM_VALUE)
                .timeout(timeout)
                .GET();
        if (lastEventId != null && !lastEventId.isBlank()) {
            request.header("Last-Event-ID", lastEventId.trim());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw unavailable("did not answer within " + seconds(timeout));
        } catch (IOException e) {
            throw unavailable("could not be reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("was not waited for (the gateway is stopping)");
        }
        if (response.statusCode() == 200) {
            return response.body();
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_REFUSAL);
        } catch (IOException e) {
            throw unavailable("broke off its answer");
        }
        Answer refusal = answer(
                response.statusCode(),
                response.headers().firstValue(HttpHeaders.CONTENT_TYPE).orElse(null),
                body);
        if (refusal.ok()) {
            throw unavailable("answered the live stream with HTTP " + response.statusCode());
        }
        throw new Refusal(refusal);
    }

    /** Ends every call and open stream at once (the gateway is stopping). */
    void close() {
        http.shutdownNow();
    }

    private HttpRequest.Builder request(String relative, String accessToken, String accept) {
        return HttpRequest.newBuilder(base.resolve(relative))
                .timeout(timeout)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken)
                .header(HttpHeaders.ACCEPT, accept);
    }

    /**
     * The answer as the gateway passes it on: a success or refusal with a JSON body as it is, a refusal without one as
     * a problem of the same status; a refused token, a failure of status-service and a success that is not JSON are
     * thrown.
     */
    private static Answer answer(int status, String contentType, byte[] body) {
        if (status == 401) {
            throw new TokenRefused();
        }
        HttpStatus known = HttpStatus.resolve(status);
        if (status >= 500 || known == null || status / 100 == 1 || status / 100 == 3) {
            throw unavailable("answered HTTP " + status);
        }
        MediaType type = json(contentType);
        if (type != null && body.length > 0) {
            return new Answer(status, type, body);
        }
        if (known.is2xxSuccessful()) {
            throw unavailable("answered something that is not JSON");
        }
        throw Problems.of(
                known, known.getReasonPhrase(), "The job status service refused this request (HTTP " + status + ")");
    }

    /** The media type when it is JSON (plain, problem or another {@code +json}), else null. */
    private static MediaType json(String contentType) {
        if (contentType == null) {
            return null;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            boolean json = type.isCompatibleWith(MediaType.APPLICATION_JSON)
                    || "json".equals(type.getSubtypeSuffix()) && "application".equals(type.getType());
            return json ? type : null;
        } catch (InvalidMediaTypeException e) {
            return null;
        }
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static ErrorResponseException unavailable(String what) {
        return Problems.of(
                HttpStatus.BAD_GATEWAY,
                "Job status unavailable",
                "The job status service " + what + "; try again shortly");
    }
}
