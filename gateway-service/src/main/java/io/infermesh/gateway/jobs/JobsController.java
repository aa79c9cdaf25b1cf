package io.infermesh.gateway.jobs;

import io.infermesh.gateway.GatewayProperties;
import io.infermesh.gateway.login.AccessTokens;
import io.infermesh.gateway.storage.OwnedKeys;
import io.infermesh.gateway.storage.Storage;
import io.infermesh.gateway.web.Problems;
import io.infermesh.security.Caller;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The caller's own jobs, relayed from status-service with their own access token: the list, one job, its history,
 * cancel, retry, the live stream, and short-lived URLs of a job's input and result. The gateway is each person's own
 * view, an operator's too (their wider view is status-service's own API): the list and the stream always name the
 * caller as owner, whatever the query says; every call about one job first reads the job and goes on only when
 * status-service shows it as the caller's (else the same 404 as for a job that does not exist); a job's input and
 * result are presigned only when the key is the caller's own, in the gateway's bucket. So nothing of another owner
 * passes the gateway even where status-service would show it.
 */
@RestController
class JobsController {

    /** What a job id may look like here (a UUID in the mesh); anything else is not found without asking. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

    private static final int RELAY_BUFFER = 8192;

    /**
     * A presigned GET of a job's object.
     *
     * @param key the object's key
     * @param url the presigned URL
     * @param expiresAt when it stops working
     * @param contentType its media type, when status-service knows it
     * @param size its size in bytes, when known
     */
    record ObjectUrl(String key, String url, Instant expiresAt, String contentType, Long size) {}

    private final StatusService status;
    private final AccessTokens tokens;
    private final OwnedKeys keys;
    private final Storage storage;
    private final GatewayProperties properties;
    private final JsonMapper json;

    JobsController(
            AccessTokens tokens, OwnedKeys keys, Storage storage, GatewayProperties properties, JsonMapper json) {
        this.status = new StatusService(properties.statusUrl(), properties.statusTimeout());
        this.tokens = tokens;
        this.keys = keys;
        this.storage = storage;
        this.properties = properties;
        this.json = json;
    }

    @PreDestroy
    void stop() {
        status.close();
    }

    /** A page of the caller's jobs; an {@code owner} in the query is not passed on, the caller is. */
    @GetMapping("/api/jobs")
    ResponseEntity<byte[]> jobs(
            Caller caller,
            HttpServletRequest request,
            HttpServletResponse response,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String model,
            @RequestParam(required = false) String backend,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("owner", caller.owner());
        query.put("cursor", cursor);
        query.put("limit", limit);
        query.put("status", status);
        query.put("model", model);
        query.put("backend", backend);
        query.put("sort", sort);
        query.put("from", from);
        query.put("to", to);
        StatusService.Answer page = ok(this.status.call("GET", relative("api/jobs", query), token(request, response)));
        for (JsonNode job : read(page).path("jobs")) {
            if (!caller.owner().equals(text(job.path("owner")))) {
                throw Problems.of(
                        HttpStatus.BAD_GATEWAY,
                        "Job status unavailable",
                        "The job status service "
                                + "answered with jobs of another person, so none are shown; this is the mesh's fault");
            }
        }
        return page.relay();
    }

    @GetMapping("/api/jobs/{jobId}")
    ResponseEntity<byte[]> job(
            Caller caller, @PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) {
        return ownJob(caller, jobId, token(request, response)).answer().relay();
    }

    @GetMapping("/api/jobs/{jobId}/events")
    ResponseEntity<byte[]> events(
            Caller caller, @PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) {
        String token = token(request, response);
        ownJob(caller, jobId, token);
        return status.call("GET", jobPath(jobId, "events"), token).relay();
    }

    /** 202 with the cancelled job, or status-service's 409 problem when the job is past cancelling. */
    @PostMapping("/api/jobs/{jobId}/cancel")
    ResponseEntity<byte[]> cancel(
            Caller caller, @PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) {
        String token = token(request, response);
        ownJob(caller, jobId, token);
        return status.call("POST", jobPath(jobId, "cancel"), token).relay();
    }

    /** 202 with the next attempt, PENDING, or status-service's 409 problem when the job has not failed. */
    @PostMapping("/api/jobs/{jobId}/retry")
    ResponseEntity<byte[]> retry(
            Caller caller,
            @PathVariable String jobId,
            @RequestParam(required = false) String backend,
            HttpServletRequest request,
            HttpServletResponse response) {
        String token = token(request, response);
        ownJob(caller, jobId, token);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("backend", backend);
        return status.call("POST", relative(jobPath(jobId, "retry"), query), token)
                .relay();
    }

    @GetMapping("/api/jobs/{jobId}/result")
    ObjectUrl result(
            Caller caller, @PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) {
        return objectOf(caller, jobId, "output", OwnedKeys.Side.RESULTS, token(request, response));
    }

    @GetMapping("/api/jobs/{jobId}/input")
    ObjectUrl input(
            Caller caller, @PathVariable String jobId, HttpServletRequest request, HttpServletResponse response) {
        return objectOf(caller, jobId, "input", OwnedKeys.Side.INBOX, token(request, response));
    }

    /**
     * Relays status-service's live stream of the caller's jobs byte for byte ({@code event: status}, the change as
     * data, its position as id), resuming after {@code Last-Event-ID}. It ends when status-service ends it, when the
     * browser goes away (the next write fails; status-service's heartbeats make one at least every 15 s) or when the
     * relay times out ({@code spring.mvc.async.request-timeout}), and ending it closes status-service's stream; the
     * browser's EventSource reconnects with the last id it saw.
     */
    @GetMapping("/api/jobs/stream")
    ResponseEntity<StreamingResponseBody> stream(
            Caller caller,
            HttpServletRequest request,
            HttpServletResponse response,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @RequestParam(required = false) String jobId,
            @RequestParam(required = false) String model) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("owner", caller.owner());
        query.put("jobId", jobId);
        query.put("model", model);
        InputStream events = status.stream(relative("api/jobs/stream", query), token(request, response), lastEventId);
        StreamingResponseBody relay = (OutputStream out) -> {
            try (InputStream in = events) {
                byte[] buffer = new byte[RELAY_BUFFER];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    // out.flush() does nothing here: Spring Framework 7 hands a StreamingResponseBody a body stream
                    // that ignores flushes (ServletServerHttpResponse, unless spring.http.response.flush.enabled);
                    // without flushing the servlet response, events would wait in its buffer
                    response.flushBuffer();
                }
            } catch (IOException gone) {
                // the browser or status-service went away: either way this relay is over, and closing ended upstream
            }
        };
        return ResponseEntity.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .cacheControl(CacheControl.noStore())
                .header("X-Accel-Buffering", "no")
                .body(relay);
    }

    /** status-service refused: its answer as it gave it. */
    @ExceptionHandler(StatusService.Refusal.class)
    ResponseEntity<byte[]> refused(StatusService.Refusal refusal) {
        return refusal.answer.relay();
    }

    /** status-service refused the person's token: their sign-in is over, the pages sign in again. */
    @ExceptionHandler(StatusService.TokenRefused.class)
    ResponseEntity<ProblemDetail> tokenRefused(HttpServletRequest request) {
        ErrorResponseException expired = tokens.signInAgain(request);
        return ResponseEntity.status(expired.getStatusCode())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(expired.getBody());
    }

    /** A job as status-service shows it to the caller, the caller's own; else 404 as for a job that is not there. */
    private Own ownJob(Caller caller, String jobId, String token) {
        StatusService.Answer answer = ok(status.call("GET", jobPath(jobId, null), token));
        JsonNode view = read(answer);
        if (!jobId.equals(text(view.path("jobId"))) || !caller.owner().equals(text(view.path("owner")))) {
            throw notFound(jobId);
        }
        return new Own(answer, view);
    }

    private record Own(StatusService.Answer answer, JsonNode view) {}

    /**
     * A presigned GET of the caller's job's input or output: the job their own (status-service's and the gateway's
     * check), then the object's key their own on the right side, in the gateway's bucket.
     */
    private ObjectUrl objectOf(Caller caller, String jobId, String field, OwnedKeys.Side side, String token) {
        JsonNode object = ownJob(caller, jobId, token).view().path(field);
        String what = side == OwnedKeys.Side.RESULTS ? "result" : "input";
        String key = text(object.path("key"));
        if (key == null) {
            throw Problems.of(HttpStatus.NOT_FOUND, "No " + what, "Job '" + jobId + "' has no " + what + " yet");
        }
        OwnedKeys.Owned owned = storage.bucket().equals(text(object.path("bucket")))
                ? keys.owned(key, caller.owner()).filter(o -> o.side() == side).orElse(null)
                : null;
        if (owned == null) {
            throw Problems.of(
                    HttpStatus.NOT_FOUND,
                    "No " + what,
                    "Job '" + jobId + "' has no " + what + " that the gateway can show you");
        }
        Storage.Presigned get = storage.presignGet(owned.key(), properties.downloadUrlTtl(), null);
        Long size = object.path("size").isNumber() ? object.path("size").asLong() : null;
        return new ObjectUrl(
                owned.key(), get.url().toString(), get.expiresAt(), text(object.path("contentType")), size);
    }

    private String token(HttpServletRequest request, HttpServletResponse response) {
        return tokens.of(SecurityContextHolder.getContext().getAuthentication(), request, response);
    }

    private static StatusService.Answer ok(StatusService.Answer answer) {
        if (!answer.ok()) {
            throw new StatusService.Refusal(answer);
        }
        return answer;
    }

    private JsonNode read(StatusService.Answer answer) {
        try {
            return json.readTree(answer.body());
        } catch (JacksonException e) {
            throw Problems.of(
                    HttpStatus.BAD_GATEWAY,
                    "Job status unavailable",
                    "The job status service answered something the gateway cannot read");
        }
    }

    /** {@code api/jobs/<id>[/<action>]}; an id that is no job id is not found here, status-service is not asked. */
    private static String jobPath(String jobId, String action) {
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            throw Problems.of(HttpStatus.NOT_FOUND, "Job not found", "There is no job with that id");
        }
        return "api/jobs/" + jobId + (action == null ? "" : "/" + action);
    }

    /** The path with the query parameters that have a value, each strictly encoded (no value adds a parameter). */
    private static String relative(String path, Map<String, String> query) {
        StringJoiner parameters = new StringJoiner("&", path + "?", "").setEmptyValue(path);
        query.forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                parameters.add(name + "=" + URLEncoder.encode(value.trim(), StandardCharsets.UTF_8));
            }
        });
        return parameters.toString();
    }

    private static ErrorResponseException notFound(String jobId) {
        ErrorResponseException problem =
                Problems.of(HttpStatus.NOT_FOUND, "Job not found", "No job with id '" + jobId + "'");
        problem.getBody().setProperty("jobId", jobId);
        return problem;
    }

    private static String text(JsonNode node) {
        return node.isString() && !node.asString().isBlank() ? node.asString() : null;
    }
}
