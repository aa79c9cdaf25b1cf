package io.infermesh.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import tools.jackson.databind.json.JsonMapper;

/**
 * status-service's HTTP surface as the gateway sees it, secured as status-service is (ADR 0014): the bearer token is
 * verified against the real identity provider's keys and names the caller by its {@code sub}; no or a bad token is
 * 401 with {@code WWW-Authenticate: Bearer}; another owner's job by id (read, events, cancel, retry) is the 404
 * "Job not found"; a list or stream naming another owner is 403; cancel is 202 with the job CANCELLED from PENDING,
 * RUNNABLE or STARTING (and when already CANCELLED), else 409 "Job cannot be cancelled"; retry is 202 with the next
 * attempt PENDING from FAILED, else 409 "Job cannot be retried". It records what the gateway sent and whether each
 * live stream was closed, and can be made unsecured (to show that the gateway does not rely on it), failing, silent,
 * refusing every token, or down. What the gateway owns is tested against it; the whole mesh is local-mesh's test.
 */
final class StatusStub implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern JOB = Pattern.compile("/api/jobs/([^/]+)(?:/(events|cancel|retry))?");
    private static final List<String> CANCELLABLE = List.of("PENDING", "RUNNABLE", "STARTING", "CANCELLED");
    /** The heartbeat pace of the stub's stream (status-service's is 15 s), and how long a stream lasts at most. */
    private static final Duration HEARTBEAT = Duration.ofMillis(50);

    private static final Duration LONGEST_STREAM = Duration.ofMinutes(2);
    private static final Duration LONGEST_SILENCE = Duration.ofMinutes(1);

    /** How the stub answers. */
    enum Mode {
        /** as status-service does */
        ANSWERING,
        /** 503 to everything */
        FAILING,
        /** accepts and says nothing (until the mode changes or a minute has passed) */
        SILENT,
        /** 401 to every token, as after the provider's keys changed */
        REFUSING_TOKENS
    }

    /**
     * One request the gateway made.
     *
     * @param method the method
     * @param uri the path and query, as sent
     * @param owner whom the token named (null: no valid token)
     * @param lastEventId the Last-Event-ID header
     */
    record Call(String method, String uri, String owner, String lastEventId) {

        /** The query parameters, decoded; a parameter given twice keeps both values, joined by a comma. */
        Map<String, String> query() {
            Map<String, String> parameters = new LinkedHashMap<>();
            int question = uri.indexOf('?');
            if (question < 0) {
                return parameters;
            }
            for (String pair : uri.substring(question + 1).split("&")) {
                String[] nameValue = pair.split("=", 2);
                parameters.merge(
                        decode(nameValue[0]), nameValue.length > 1 ? decode(nameValue[1]) : "", (a, b) -> a + "," + b);
            }
            return parameters;
        }

        private static String decode(String value) {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        }
    }

    private static final class Job {
        final String jobId;
        final String owner;
        final String status;
        final int attempt;
        final Map<String, Object> input;
        final Map<String, Object> output;

        Job(
                String jobId,
                String owner,
                String status,
                int attempt,
                Map<String, Object> input,
                Map<String, Object> output) {
            this.jobId = jobId;
            this.owner = owner;
            this.status = status;
            this.attempt = attempt;
            this.input = input;
            this.output = output;
        }

        Job with(String newStatus, int newAttempt) {
            return new Job(jobId, owner, newStatus, newAttempt, input, output);
        }

        Map<String, Object> view() {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("jobId", jobId);
            view.put("model", "digits");
            view.put("owner", owner);
            view.put("status", status);
            view.put("attempt", attempt);
            if (input != null) {
                view.put("input", input);
            }
            if (output != null) {
                view.put("output", output);
            }
            return view;
        }
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger openStreams = new AtomicInteger();
    final AtomicInteger closedStreams = new AtomicInteger();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final int port;
    private volatile HttpServer server;
    private volatile JwtDecoder tokens;
    private volatile boolean secured = true;
    private volatile Mode mode = Mode.ANSWERING;
    private volatile CountDownLatch silence = new CountDownLatch(0);

    StatusStub() throws IOException {
        server = listen(0);
        port = server.getAddress().getPort();
    }

    private HttpServer listen(int at) throws IOException {
        HttpServer listening = HttpServer.create(new InetSocketAddress("127.0.0.1", at), 0);
        listening.setExecutor(threads);
        listening.createContext("/api/jobs", this::handle);
        listening.start();
        return listening;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Verifies tokens with this issuer's keys from now on (before: every token is refused). */
    void trust(String issuer) {
        tokens = NimbusJwtDecoder.withIssuerLocation(issuer).build();
    }

    /** A job of {@code owner} with its input and output in the gateway's bucket under the owner's own prefixes. */
    void job(String jobId, String owner, String status) {
        job(
                jobId,
                owner,
                status,
                "infermesh",
                "inbox/digits/" + owner + "/" + jobId + ".png",
                "infermesh",
                "results/digits/" + owner + "/" + jobId + "/result.json");
    }

    /** A job with its input and output where these say (null key: none yet). */
    void job(
            String jobId,
            String owner,
            String status,
            String inputBucket,
            String inputKey,
            String outputBucket,
            String outputKey) {
        Map<String, Object> input = inputKey == null
                ? null
                : Map.of("bucket", inputBucket, "key", inputKey, "size", 312, "contentType", "image/png");
        Map<String, Object> output = outputKey == null ? null : Map.of("bucket", outputBucket, "key", outputKey);
        jobs.put(jobId, new Job(jobId, owner, status, 1, input, output));
    }

    String statusOf(String jobId) {
        return jobs.get(jobId).status;
    }

    /**
     * Unsecured (and broken), status-service shows every job to anyone and lists and streams every owner's, whatever
     * the owner filter says: what the gateway must not pass on.
     */
    void secured(boolean secured) {
        this.secured = secured;
    }

    void answer(Mode mode) {
        this.mode = mode;
        CountDownLatch previous = silence;
        silence = mode == Mode.SILENT ? new CountDownLatch(1) : new CountDownLatch(0);
        previous.countDown();
    }

    /** Stops listening: connections are refused. */
    void goDown() {
        server.stop(0);
    }

    /** Listens again at the same address. */
    void comeBack() throws IOException {
        server = listen(port);
    }

    /** The calls made from {@code index} on. */
    List<Call> callsFrom(int index) {
        return List.copyOf(calls.subList(index, calls.size()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String owner = null;
        boolean operator = false;
        Jwt jwt = verify(exchange.getRequestHeaders().getFirst("Authorization"));
        if (jwt != null) {
            owner = jwt.getSubject();
            List<String> roles = jwt.getClaimAsStringList("roles");
            operator = roles != null && roles.contains("operator");
        }
        calls.add(new Call(
                exchange.getRequestMethod(),
                exchange.getRequestURI().toString(),
                owner,
                exchange.getRequestHeaders().getFirst("Last-Event-ID")));
        switch (mode) {
            case FAILING -> {
                problem(exchange, 503, "Service Unavailable", "the job store is down");
                return;
            }
            case SILENT -> {
                try {
                    silence.await(LONGEST_SILENCE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            case REFUSING_TOKENS -> owner = null;
            case ANSWERING -> {}
        }
        if (owner == null) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
        }
        Call call = calls.getLast();
        String path = exchange.getRequestURI().getPath();
        String askedOwner = call.query().get("owner");
        boolean mayAsk = !secured || operator || askedOwner == null || askedOwner.equals(owner);
        String listed = !secured ? null : askedOwner != null ? askedOwner : operator ? null : owner;
        if (path.equals("/api/jobs/stream")) {
            if (!mayAsk) {
                problem(exchange, 403, "Forbidden", "You may only follow your own jobs");
            } else if (call.lastEventId() != null && !call.lastEventId().matches("[0-9]{1,18}")) {
                Map<String, Object> problem = problemBody(
                        400,
                        "Invalid stream position",
                        "Last-Event-ID must be the " + "id of an event this stream sent (a non-negative number), got '"
                                + call.lastEventId() + "'");
                problem.put("parameter", "Last-Event-ID");
                json(exchange, 400, problem, "application/problem+json");
            } else {
                stream(exchange, listed == null ? "anyone" : listed, call.lastEventId());
            }
            return;
        }
        if (path.equals("/api/jobs/stats")) {
            if (!mayAsk) {
                problem(exchange, 403, "Forbidden", "You may only count your own jobs");
                return;
            }
            json(
                    exchange,
                    200,
                    Map.of(
                            "filter",
                            listed == null ? Map.of() : Map.of("owner", listed),
                            "total",
                            jobs.values().stream()
                                    .filter(j -> listed == null || j.owner.equals(listed))
                                    .count()));
            return;
        }
        if (path.equals("/api/jobs")) {
            if (!mayAsk) {
                problem(exchange, 403, "Forbidden", "You may only list your own jobs");
                return;
            }
            List<Map<String, Object>> page = jobs.values().stream()
                    .filter(j -> listed == null || j.owner.equals(listed))
                    .map(Job::view)
                    .toList();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("jobs", page);
            body.put("nextCursor", null);
            json(exchange, 200, body);
            return;
        }
        Matcher matched = JOB.matcher(path);
        Job job = matched.matches() ? jobs.get(matched.group(1)) : null;
        if (job == null || secured && !operator && !job.owner.equals(owner)) {
            String id = matched.matches() ? matched.group(1) : path;
            Map<String, Object> problem = problemBody(404, "Job not found", "No job with id '" + id + "'");
            problem.put("jobId", id);
            json(exchange, 404, problem, "application/problem+json");
            return;
        }
        String action = matched.group(2);
        boolean post = exchange.getRequestMethod().equals("POST");
        if (action == null || action.equals("events")) {
            if (post) {
                problem(exchange, 405, "Method Not Allowed", "Use GET");
            } else if (action == null) {
                json(exchange, 200, job.view());
            } else {
                json(
                        exchange,
                        200,
                        Map.of(
                                "jobId",
                                job.jobId,
                                "events",
                                List.of(Map.of(
                                        "jobId",
                                        job.jobId,
                                        "owner",
                                        job.owner,
                                        "status",
                                        job.status,
                                        "attempt",
                                        job.attempt))));
            }
        } else if (!post) {
            problem(exchange, 405, "Method Not Allowed", "Use POST");
        } else if (action.equals("cancel")) {
            cancel(exchange, job, owner);
        } else {
            retry(exchange, job, owner, call.query().get("backend"));
        }
    }

    private void cancel(HttpExchange exchange, Job job, String caller) throws IOException {
        if (!CANCELLABLE.contains(job.status)) {
            conflict(
                    exchange,
                    "Job cannot be cancelled",
                    job,
                    job.status.equals("RUNNING")
                            ? "it is already RUNNING and will finish; only a job that has not started running can be cancelled"
                            : "it has already " + job.status);
            return;
        }
        jobs.put(job.jobId, job.with("CANCELLED", job.attempt));
        accepted(exchange, job.jobId, job.attempt, "CANCELLED", "Cancelled by " + caller);
    }

    private void retry(HttpExchange exchange, Job job, String caller, String backend) throws IOException {
        if (backend != null && !List.of("onprem", "lambda", "batch").contains(backend)) {
            problem(exchange, 400, "Unknown backend", "backend '" + backend + "' is not one of onprem, lambda, batch");
            return;
        }
        if (!job.status.equals("FAILED")) {
            conflict(
                    exchange,
                    "Job cannot be retried",
                    job,
                    "it is " + job.status + "; a job can be retried once it has FAILED");
            return;
        }
        jobs.put(job.jobId, job.with("PENDING", job.attempt + 1));
        accepted(
                exchange,
                job.jobId,
                job.attempt + 1,
                "PENDING",
                "Retried by " + caller + (backend == null ? "" : ", on " + backend));
    }

    /** status-service's 202: the attempt the action applies to and the status it asked for. */
    private static void accepted(HttpExchange exchange, String jobId, int attempt, String status, String message)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", jobId);
        body.put("attempt", attempt);
        body.put("status", status);
        body.put("message", message);
        json(exchange, 202, body);
    }

    /** status-service's 409: its {@code status} property is the job's status (it replaces the HTTP status member). */
    private static void conflict(HttpExchange exchange, String title, Job job, String why) throws IOException {
        Map<String, Object> problem = problemBody(
                409,
                title,
                "Job '" + job.jobId + "' cannot be " + (title.contains("cancelled") ? "cancelled" : "retried") + ": "
                        + why);
        problem.put("jobId", job.jobId);
        problem.put("status", job.status);
        problem.put("attempt", job.attempt);
        json(exchange, 409, problem, "application/problem+json");
    }

    /** One event that names the Last-Event-ID it resumed after, then heartbeats until the reader goes away. */
    private void stream(HttpExchange exchange, String owner, String after) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        openStreams.incrementAndGet();
        long id = after == null ? 1 : Long.parseLong(after) + 1;
        long until = System.nanoTime() + LONGEST_STREAM.toNanos();
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(("id: " + id + "\nevent: status\ndata: {\"owner\":\"" + owner + "\",\"after\":\"" + after
                            + "\"}\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (System.nanoTime() < until) {
                out.write(":\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                TimeUnit.NANOSECONDS.sleep(HEARTBEAT.toNanos()); // the stub's heartbeat pace, not a wait in a test
            }
        } catch (IOException | InterruptedException gone) {
            // the reader went away
        } finally {
            openStreams.decrementAndGet();
            closedStreams.incrementAndGet();
        }
    }

    private Jwt verify(String authorization) {
        JwtDecoder decoder = tokens;
        if (decoder == null || authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        try {
            return decoder.decode(authorization.substring("Bearer ".length()));
        } catch (JwtException e) {
            return null;
        }
    }

    private static Map<String, Object> problemBody(int status, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        return problem;
    }

    private static void problem(HttpExchange exchange, int status, String title, String detail) throws IOException {
        json(exchange, status, problemBody(status, title, detail), "application/problem+json");
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        json(exchange, status, body, "application/json");
    }

    private static void json(HttpExchange exchange, int status, Object body, String contentType) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        answer(Mode.ANSWERING);
        server.stop(0);
        threads.shutdownNow();
    }
}
