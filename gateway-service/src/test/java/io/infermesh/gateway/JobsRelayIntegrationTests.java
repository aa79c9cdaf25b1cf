package io.infermesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.catalina.Context;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import software.amazon.awssdk.core.sync.RequestBody;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A signed-in person's job calls go to status-service with their own access token (verified by the stand-in against
 * the real provider's keys) and come back as status-service answered; the list and the live stream are always the
 * caller's own whatever the query names; nothing of another owner passes, not even from a status-service that would
 * show it; a job's input and result are presigned only when the key is the caller's own; changes need the CSRF token;
 * an outage is a 502 problem in bounded time, and an expired sign-in a 401 problem.
 */
@WithLocalInfra
class JobsRelayIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long the gateway waits for status-service here (10 s by default). */
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);

    private static final Duration QUICKLY = Duration.ofSeconds(20);

    private static StatusStub status;
    private static GatewayFixture gateway;
    private static Browser alice;
    private static Browser bob;

    @BeforeAll
    static void start() throws Exception {
        status = new StatusStub();
        gateway = GatewayFixture.start(
                LocalInfraExtension.infra().s3(),
                status.url(),
                Map.of("infermesh.gateway.status-timeout", STATUS_TIMEOUT.toSeconds() + "s"));
        status.trust(gateway.provider.issuer());
        alice = gateway.signIn("alice");
        bob = gateway.signIn("bob");
        status.job("j-running", "alice", "RUNNING");
        status.job("j-failed", "alice", "FAILED");
        status.job("j-bobs", "bob", "SUCCEEDED");
        status.job("j-bobs-failed", "bob", "FAILED");
        status.job("j-bobs-pending", "bob", "PENDING");
        // alice's job whose result a broken or forged event put under bob's prefix, and one in another bucket
        status.job(
                "j-forged",
                "alice",
                "SUCCEEDED",
                "infermesh",
                "inbox/digits/bob/j-forged.png",
                "infermesh",
                "results/digits/bob/j-forged/result.json");
        status.job(
                "j-elsewhere",
                "alice",
                "SUCCEEDED",
                "other-bucket",
                "inbox/digits/alice/j-elsewhere.png",
                "other-bucket",
                "results/digits/alice/j-elsewhere/result.json");
        status.job("j-no-result", "alice", "RUNNING", "infermesh", "inbox/digits/alice/j-no-result.png", null, null);
    }

    @AfterEach
    void answerAgain() {
        status.secured(true);
        status.answer(StatusStub.Mode.ANSWERING);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (status != null) {
            status.close();
        }
    }

    // ---- the list ----

    @Test
    void aliceListIsAskedForAliceWithHerTokenEvenWhenSheNamesBob() {
        int before = status.calls.size();

        HttpResponse<String> response = alice.get("/api/jobs?limit=5&status=FAILED&model=digits&owner=bob");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("jobs").toString()).contains("j-running").doesNotContain("j-bobs");
        assertThat(owners(json(response))).containsOnly("alice");
        StatusStub.Call call = only(status.callsFrom(before));
        assertThat(call.owner()).as("whom the forwarded token names").isEqualTo("alice");
        assertThat(call.uri()).startsWith("/api/jobs?");
        assertThat(call.query())
                .isEqualTo(Map.of("owner", "alice", "limit", "5", "status", "FAILED", "model", "digits"));
    }

    @Test
    void aFilterValueCannotSmuggleInAnotherOwner() {
        int before = status.calls.size();

        HttpResponse<String> response = alice.get("/api/jobs?status=FAILED%26owner%3Dbob&model=x%2By");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(only(status.callsFrom(before)).query())
                .isEqualTo(Map.of("owner", "alice", "status", "FAILED&owner=bob", "model", "x+y"));
        assertThat(owners(json(response))).containsOnly("alice");
    }

    @Test
    void aListWithAnotherPersonsJobsIsNotShownEvenWhenStatusServiceSendsIt() {
        status.secured(false);

        HttpResponse<String> response = alice.get("/api/jobs");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(json(response).get("title").asString()).isEqualTo("Job status unavailable");
        assertThat(json(response).get("detail").asString()).contains("jobs of another person");
        assertThat(response.body()).doesNotContain("j-bobs").doesNotContain("j-running");
    }

    // ---- one job ----

    @Test
    void anotherOwnersJobIsNotFoundForEveryCallAndNoChangeReachesStatusService() {
        int before = status.calls.size();

        List<HttpResponse<String>> answers = List.of(
                alice.get("/api/jobs/j-bobs"),
                alice.get("/api/jobs/j-bobs/events"),
                alice.post("/api/jobs/j-bobs-pending/cancel", ""),
                alice.post("/api/jobs/j-bobs-failed/retry", ""),
                alice.get("/api/jobs/j-bobs/result"),
                alice.get("/api/jobs/j-bobs/input"));

        for (HttpResponse<String> answer : answers) {
            assertThat(answer.statusCode()).as(answer.uri().toString()).isEqualTo(404);
            assertThat(answer.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/problem+json");
            assertThat(json(answer).get("title").asString()).isEqualTo("Job not found");
            assertThat(answer.body())
                    .doesNotContain("\"owner\"")
                    .doesNotContain("inbox/")
                    .doesNotContain("results/")
                    .doesNotContain("X-Amz");
        }
        assertThat(status.callsFrom(before)).extracting(StatusStub.Call::method).containsOnly("GET");
        assertThat(status.statusOf("j-bobs-pending")).isEqualTo("PENDING");
        assertThat(status.statusOf("j-bobs-failed")).isEqualTo("FAILED");
    }

    @Test
    void anotherOwnersJobIsNotFoundEvenFromAStatusServiceThatWouldShowIt() {
        status.secured(false);
        int before = status.calls.size();

        HttpResponse<String> read = alice.get("/api/jobs/j-bobs");
        HttpResponse<String> events = alice.get("/api/jobs/j-bobs/events");
        HttpResponse<String> cancel = alice.post("/api/jobs/j-bobs-pending/cancel", "");
        HttpResponse<String> retry = alice.post("/api/jobs/j-bobs-failed/retry", "");
        HttpResponse<String> result = alice.get("/api/jobs/j-bobs/result");

        for (HttpResponse<String> answer : List.of(read, events, cancel, retry, result)) {
            assertThat(answer.statusCode()).as(answer.uri().toString()).isEqualTo(404);
            assertThat(json(answer).get("title").asString()).isEqualTo("Job not found");
            assertThat(json(answer).get("detail").asString()).startsWith("No job with id 'j-bobs");
            assertThat(answer.body())
                    .doesNotContain("\"owner\"")
                    .doesNotContain("inbox/")
                    .doesNotContain("url");
        }
        assertThat(status.callsFrom(before)).extracting(StatusStub.Call::method).containsOnly("GET");
        assertThat(status.statusOf("j-bobs-pending")).isEqualTo("PENDING");
        assertThat(status.statusOf("j-bobs-failed")).isEqualTo("FAILED");
    }

    @Test
    void theOwnersJobAndItsHistoryAreStatusServicesAnswers() {
        HttpResponse<String> job = alice.get("/api/jobs/j-running");
        HttpResponse<String> events = alice.get("/api/jobs/j-running/events");

        assertThat(job.statusCode()).isEqualTo(200);
        assertThat(json(job).get("status").asString()).isEqualTo("RUNNING");
        assertThat(json(job).get("owner").asString()).isEqualTo("alice");
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(json(events).get("events").get(0).get("status").asString()).isEqualTo("RUNNING");
    }

    @Test
    void anIdThatIsNoJobIdIsNotFoundWithoutAskingStatusService() {
        int before = status.calls.size();

        HttpResponse<String> climb = alice.get("/api/jobs/..%2F..%2Factuator");
        HttpResponse<String> dots = alice.get("/api/jobs/.../events");
        HttpResponse<String> stats = alice.get("/api/jobs/stats");

        assertThat(climb.statusCode()).isIn(400, 404);
        assertThat(dots.statusCode()).isEqualTo(404);
        assertThat(json(dots).get("title").asString()).isEqualTo("Job not found");
        // "stats" looks like an id; status-service's stats are no job of alice's
        assertThat(stats.statusCode()).isEqualTo(404);
        assertThat(status.callsFrom(before)).extracting(StatusStub.Call::uri).containsOnly("/api/jobs/stats");
    }

    // ---- cancel and retry ----

    @Test
    void cancelAndRetryAnswerAsStatusServiceDoes() {
        status.job("j-to-cancel", "alice", "PENDING");
        status.job("j-to-retry", "alice", "FAILED");
        int before = status.calls.size();

        HttpResponse<String> cancelled = alice.post("/api/jobs/j-to-cancel/cancel", "");
        HttpResponse<String> again = alice.post("/api/jobs/j-to-cancel/cancel", "");
        HttpResponse<String> running = alice.post("/api/jobs/j-running/cancel", "");
        HttpResponse<String> retried = alice.post("/api/jobs/j-to-retry/retry?backend=lambda", "");
        HttpResponse<String> notFailed = alice.post("/api/jobs/j-running/retry", "");
        HttpResponse<String> badBackend = alice.post("/api/jobs/j-failed/retry?backend=gpu", "");

        assertThat(cancelled.statusCode()).isEqualTo(202);
        assertThat(json(cancelled).get("status").asString()).isEqualTo("CANCELLED");
        assertThat(json(cancelled).get("message").asString()).isEqualTo("Cancelled by alice");
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(running.statusCode()).isEqualTo(409);
        assertThat(running.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(json(running).get("title").asString()).isEqualTo("Job cannot be cancelled");
        assertThat(json(running).get("status").asString()).isEqualTo("RUNNING");
        assertThat(json(running).get("detail").asString()).contains("already RUNNING");
        assertThat(retried.statusCode()).isEqualTo(202);
        assertThat(json(retried).get("attempt").asInt()).isEqualTo(2);
        assertThat(json(retried).get("status").asString()).isEqualTo("PENDING");
        assertThat(json(retried).get("message").asString()).isEqualTo("Retried by alice, on lambda");
        assertThat(notFailed.statusCode()).isEqualTo(409);
        assertThat(json(notFailed).get("title").asString()).isEqualTo("Job cannot be retried");
        assertThat(badBackend.statusCode()).isEqualTo(400);
        assertThat(json(badBackend).get("title").asString()).isEqualTo("Unknown backend");
        assertThat(status.callsFrom(before))
                .filteredOn(c -> c.method().equals("POST"))
                .extracting(StatusStub.Call::uri)
                .containsExactly(
                        "/api/jobs/j-to-cancel/cancel",
                        "/api/jobs/j-to-cancel/cancel",
                        "/api/jobs/j-running/cancel",
                        "/api/jobs/j-to-retry/retry?backend=lambda",
                        "/api/jobs/j-running/retry",
                        "/api/jobs/j-failed/retry?backend=gpu");
        assertThat(status.callsFrom(before)).extracting(StatusStub.Call::owner).containsOnly("alice");
    }

    @Test
    void cancelAndRetryWithoutTheCsrfTokenAre403AndNothingReachesStatusService() {
        status.job("j-csrf", "alice", "PENDING");
        int before = status.calls.size();

        List<HttpResponse<String>> refused = List.of(
                alice.postWithoutCsrf("/api/jobs/j-csrf/cancel", ""),
                alice.postWithoutCsrf("/api/jobs/j-failed/retry", ""),
                alice.postWithCsrf("/api/jobs/j-csrf/cancel", "", "a-guessed-token"),
                alice.postWithCsrf("/api/jobs/j-failed/retry", "", "a-guessed-token"));

        for (HttpResponse<String> answer : refused) {
            assertThat(answer.statusCode()).as(answer.uri().toString()).isEqualTo(403);
            assertThat(answer.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/problem+json");
            assertThat(json(answer).get("detail").asString()).contains("X-XSRF-TOKEN");
        }
        assertThat(status.callsFrom(before)).isEmpty();
        assertThat(status.statusOf("j-csrf")).isEqualTo("PENDING");
        assertThat(status.statusOf("j-failed")).isEqualTo("FAILED");
    }

    // ---- input and result ----

    @Test
    void aJobsResultAndInputArePresignedWhenTheKeysAreTheCallers() {
        gateway.s3
                .client()
                .putObject(
                        p -> p.bucket(GatewayFixture.BUCKET).key("results/digits/alice/j-running/result.json"),
                        RequestBody.fromString("{\"top\":\"3\"}"));

        JsonNode result = json(alice.get("/api/jobs/j-running/result"));
        JsonNode input = json(alice.get("/api/jobs/j-running/input"));

        assertThat(result.get("key").asString()).isEqualTo("results/digits/alice/j-running/result.json");
        assertThat(fetch(result.get("url").asString())).isEqualTo("{\"top\":\"3\"}");
        assertThat(result.get("expiresAt").asString()).isNotBlank();
        assertThat(input.get("key").asString()).isEqualTo("inbox/digits/alice/j-running.png");
        assertThat(input.get("contentType").asString()).isEqualTo("image/png");
        assertThat(input.get("size").asLong()).isEqualTo(312);
        assertThat(input.get("url").asString()).startsWith(gateway.s3.endpoint().toString());
    }

    @Test
    void aResultWhoseKeyIsSomeoneElsesIs404WithNoUrl() {
        gateway.s3
                .client()
                .putObject(
                        p -> p.bucket(GatewayFixture.BUCKET).key("results/digits/bob/j-forged/result.json"),
                        RequestBody.fromString("{\"bob's\":true}"));

        HttpResponse<String> forged = alice.get("/api/jobs/j-forged/result");
        HttpResponse<String> forgedInput = alice.get("/api/jobs/j-forged/input");
        HttpResponse<String> elsewhere = alice.get("/api/jobs/j-elsewhere/result");
        HttpResponse<String> notYet = alice.get("/api/jobs/j-no-result/result");

        for (HttpResponse<String> answer : List.of(forged, forgedInput, elsewhere, notYet)) {
            assertThat(answer.statusCode()).as(answer.uri().toString()).isEqualTo(404);
            assertThat(answer.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/problem+json");
            assertThat(answer.body())
                    .doesNotContain("\"url\"")
                    .doesNotContain("X-Amz")
                    .doesNotContain("http")
                    .doesNotContain("bob")
                    .doesNotContain("other-bucket");
        }
        assertThat(json(forged).get("title").asString()).isEqualTo("No result");
        assertThat(json(forgedInput).get("title").asString()).isEqualTo("No input");
        assertThat(json(notYet).get("detail").asString()).isEqualTo("Job 'j-no-result' has no result yet");
    }

    // ---- the live stream ----

    @Test
    void theLiveStreamRelaysEventsResumesAfterLastEventIdAndClosesUpstreamWhenTheBrowserGoes() throws Exception {
        int before = status.calls.size();
        int closedBefore = status.closedStreams.get();

        HttpResponse<InputStream> response = openStream(alice, "/api/jobs/stream?owner=bob&model=digits", "41");

        assertThat(response.statusCode()).as(() -> body(response)).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        assertThat(response.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        assertThat(firstLines(lines, 4))
                .containsExactly("id: 42", "event: status", "data: {\"owner\":\"alice\",\"after\":\"41\"}", "");
        StatusStub.Call call = only(status.callsFrom(before));
        assertThat(call.uri()).startsWith("/api/jobs/stream?");
        assertThat(call.query()).isEqualTo(Map.of("owner", "alice", "model", "digits"));
        assertThat(call.owner()).isEqualTo("alice");
        assertThat(call.lastEventId()).isEqualTo("41");
        assertThat(status.closedStreams.get())
                .as("upstream still open while the browser reads")
                .isEqualTo(closedBefore);

        lines.close(); // the browser goes away

        await().atMost(QUICKLY).until(() -> status.closedStreams.get() == closedBefore + 1);
    }

    @Test
    void manyBrowsersFollowTheStreamAtOnce() {
        int streams = 12;
        int closedBefore = status.closedStreams.get();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<InputStream>>> opening = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            opening.add(http.sendAsync(
                    streamRequest(i % 2 == 0 ? alice : bob, "/api/jobs/stream", null),
                    HttpResponse.BodyHandlers.ofInputStream()));
        }

        await().atMost(QUICKLY).until(() -> opening.stream().allMatch(CompletableFuture::isDone));
        List<InputStream> bodies = new ArrayList<>();
        for (CompletableFuture<HttpResponse<InputStream>> open : opening) {
            HttpResponse<InputStream> response = open.join();
            assertThat(response.statusCode()).isEqualTo(200);
            bodies.add(response.body());
            BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            assertThat(firstLines(lines, 1)).containsExactly("id: 1");
        }
        bodies.forEach(JobsRelayIntegrationTests::closeQuietly);

        await().atMost(QUICKLY).until(() -> status.closedStreams.get() == closedBefore + streams);
    }

    @Test
    void aStreamStatusServiceRefusesIsItsProblem() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(streamRequest(alice, "/api/jobs/stream", "not-a-position"), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(json(response).get("title").asString()).isEqualTo("Invalid stream position");
    }

    @Test
    void theStreamNeedsASession() {
        HttpResponse<String> response = new Browser(gateway.url).get("/api/jobs/stream");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).get("title").asString()).isEqualTo("Not signed in");
    }

    // ---- outages and expired sign-ins ----

    @Test
    void aFailingStatusServiceIsA502ProblemWithASentence() {
        status.answer(StatusStub.Mode.FAILING);

        HttpResponse<String> list = alice.get("/api/jobs");
        HttpResponse<String> cancel = alice.post("/api/jobs/j-running/cancel", "");

        for (HttpResponse<String> answer : List.of(list, cancel)) {
            assertThat(answer.statusCode()).isEqualTo(502);
            assertThat(answer.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/problem+json");
            assertThat(json(answer).get("title").asString()).isEqualTo("Job status unavailable");
            assertThat(json(answer).get("detail").asString())
                    .isEqualTo("The job status service answered HTTP 503; try again shortly");
        }
    }

    @Test
    void aSilentStatusServiceIsA502ProblemOnceTheTimeoutHasPassedNotAHang() {
        status.answer(StatusStub.Mode.SILENT);

        for (String path : List.of("/api/jobs", "/api/jobs/j-running/result", "/api/jobs/stream")) {
            long started = System.nanoTime();
            HttpResponse<String> answer = assertTimeoutPreemptively(QUICKLY, () -> alice.get(path));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(answer.statusCode()).as(path).isEqualTo(502);
            assertThat(json(answer).get("detail").asString())
                    .as(path)
                    .isEqualTo("The job status service did not answer within 2 s; try again shortly");
            assertThat(took).as(path).isGreaterThanOrEqualTo(STATUS_TIMEOUT).isLessThan(STATUS_TIMEOUT.multipliedBy(4));
        }
    }

    @Test
    void anUnreachableStatusServiceIsA502ProblemAtOnce() throws IOException {
        status.goDown();
        try {
            HttpResponse<String> list = alice.get("/api/jobs");
            HttpResponse<String> stream = alice.get("/api/jobs/stream");

            for (HttpResponse<String> answer : List.of(list, stream)) {
                assertThat(answer.statusCode()).isEqualTo(502);
                assertThat(json(answer).get("detail").asString())
                        .isEqualTo("The job status service could not be reached; try again shortly");
            }
        } finally {
            status.comeBack();
        }
        assertThat(alice.get("/api/jobs").statusCode()).isEqualTo(200);
    }

    @Test
    void anExpiredSessionIsA401ProblemAndNothingReachesStatusService() {
        Browser expiring = gateway.signIn("alice");
        assertThat(expiring.get("/api/jobs").statusCode()).isEqualTo(200);
        expire(expiring.cookie("GATEWAYSESSION"));
        int before = status.calls.size();

        HttpResponse<String> list = expiring.get("/api/jobs");
        HttpResponse<String> cancel = expiring.post("/api/jobs/j-running/cancel", "");

        for (HttpResponse<String> answer : List.of(list, cancel)) {
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.headers().firstValue("Location")).isEmpty();
            assertThat(answer.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/problem+json");
            assertThat(json(answer).get("title").asString()).isEqualTo("Not signed in");
            assertThat(json(answer).get("detail").asString())
                    .isEqualTo("Sign in at the gateway first; this API is for its pages");
        }
        assertThat(status.callsFrom(before)).isEmpty();
    }

    @Test
    void aTokenStatusServiceNoLongerAcceptsEndsTheSessionWithA401Problem() {
        Browser stale = gateway.signIn("alice");
        status.answer(StatusStub.Mode.REFUSING_TOKENS);

        HttpResponse<String> refused = stale.get("/api/jobs");

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(json(refused).get("title").asString()).isEqualTo("Sign-in expired");
        assertThat(json(refused).get("detail").asString())
                .isEqualTo("Your sign-in has expired; sign in at the gateway again");
        status.answer(StatusStub.Mode.ANSWERING);
        assertThat(stale.get("/api/jobs").statusCode())
                .as("the session has ended")
                .isEqualTo(401);
        HttpResponse<String> page = stale.getPage("/");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/oauth2/authorization/infermesh");
        assertThat(alice.get("/api/jobs").statusCode())
                .as("alice's other session")
                .isEqualTo(200);
    }

    @Test
    void theOpenApiDocumentDescribesTheJobEndpoints() {
        String document = new Browser(gateway.url).get("/openapi.yaml").body();

        assertThat(document)
                .contains(
                        "/api/jobs:",
                        "/api/jobs/{jobId}:",
                        "/api/jobs/{jobId}/events:",
                        "/api/jobs/{jobId}/cancel:",
                        "/api/jobs/{jobId}/retry:",
                        "/api/jobs/{jobId}/result:",
                        "/api/jobs/{jobId}/input:",
                        "/api/jobs/stream:");
    }

    // ---- helpers ----

    /** Ends a session as Tomcat does when it has been idle for longer than its timeout. */
    private static void expire(String sessionId) {
        TomcatWebServer server = (TomcatWebServer) ((WebServerApplicationContext) gateway.context).getWebServer();
        Context context = (Context) server.getTomcat().getHost().findChildren()[0];
        try {
            context.getManager().findSession(sessionId).expire();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest streamRequest(Browser browser, String path, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url + path))
                .header("Accept", "text/event-stream")
                .header("Cookie", "GATEWAYSESSION=" + browser.cookie("GATEWAYSESSION"));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return request.build();
    }

    /** The browser's EventSource: its session cookie, {@code Accept: text/event-stream}, the last id it saw. */
    private static HttpResponse<InputStream> openStream(Browser browser, String path, String lastEventId)
            throws IOException, InterruptedException {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(streamRequest(browser, path, lastEventId), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static List<String> firstLines(BufferedReader lines, int count) {
        return assertTimeoutPreemptively(
                QUICKLY,
                () -> {
                    List<String> read = new ArrayList<>();
                    while (read.size() < count) {
                        String line = lines.readLine();
                        if (line == null) {
                            break;
                        }
                        read.add(line);
                    }
                    return read;
                },
                "the relay passes each event on as it comes");
    }

    private static List<String> owners(JsonNode page) {
        return page.get("jobs")
                .valueStream()
                .map(j -> j.get("owner").asString())
                .toList();
    }

    private static <T> T only(List<T> calls) {
        assertThat(calls).hasSize(1);
        return calls.getFirst();
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is all a leaving browser does
        }
    }

    private static String body(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    private static String fetch(String url) {
        try {
            return HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
