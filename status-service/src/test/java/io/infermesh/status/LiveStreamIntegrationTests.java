package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET /api/jobs/stream} as an EventSource client sees it: live events, filters, resuming after a disconnect. */
class LiveStreamIntegrationTests extends StatusServiceIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    /** One server-sent event. */
    record Event(String id, String name, JsonNode data) {}

    /** A connected client: the events it received so far, and a way to hang up. */
    final class Client implements AutoCloseable {
        final List<Event> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<HttpResponse<Stream<String>>> response;
        volatile boolean open;
        volatile int status;

        Client(String query, String lastEventId) {
            this(query, lastEventId, "operator");
        }

        /** A stream opened by {@code user} ({@code operator}: the operator client). */
        Client(String query, String lastEventId, String user) {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/api/jobs/stream" + query))
                    .header("Accept", "text/event-stream")
                    .header("Authorization", "Bearer " + token(user));
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            response = HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
            response.thenAccept(r -> {
                status = r.statusCode();
                open = true;
                List<String> lines = new ArrayList<>();
                try (Stream<String> body = r.body()) {
                    body.forEach(line -> {
                        if (!line.isEmpty()) {
                            lines.add(line);
                            return;
                        }
                        String id = null;
                        String name = null;
                        StringBuilder data = new StringBuilder();
                        for (String l : lines) {
                            if (l.startsWith("id:")) {
                                id = l.substring(3).trim();
                            } else if (l.startsWith("event:")) {
                                name = l.substring(6).trim();
                            } else if (l.startsWith("data:")) {
                                data.append(l.substring(5));
                            }
                        }
                        if (name != null) {
                            events.add(new Event(id, name, JSON.readTree(data.toString())));
                        }
                        lines.clear();
                    });
                } catch (RuntimeException closed) {
                    // the client hung up
                }
            });
            await("stream open").atMost(Duration.ofSeconds(10)).until(() -> open);
        }

        List<String> statuses() {
            return events.stream().map(e -> e.data().get("status").asString()).toList();
        }

        @Override
        public void close() {
            response.thenAccept(r -> r.body().close());
        }
    }

    @Test
    void statusChangesArriveLiveFilteredByJobAndAResumedStreamGetsExactlyWhatItMissed() {
        String jobId = newJobId();
        String other = newJobId();
        Client first = new Client("?jobId=" + jobId, null);
        publish(event(jobId, JobStatus.PENDING), event(other, JobStatus.PENDING), event(jobId, JobStatus.RUNNABLE));
        await().atMost(Duration.ofSeconds(20)).until(() -> first.events.size() >= 2);
        assertThat(first.statuses()).containsExactly("PENDING", "RUNNABLE");
        assertThat(first.events).allSatisfy(e -> {
            assertThat(e.name()).isEqualTo("status");
            assertThat(e.data().get("jobId").asString()).isEqualTo(jobId);
        });
        String lastSeen = first.events.getLast().id();
        first.close();

        // while the client is away
        publish(event(jobId, JobStatus.RUNNING), event(jobId, JobStatus.SUCCEEDED));
        awaitStored(jobId, "SUCCEEDED");

        Client resumed = new Client("?jobId=" + jobId, lastSeen);
        await().atMost(Duration.ofSeconds(20)).until(() -> resumed.events.size() >= 2);
        assertThat(resumed.statuses()).containsExactly("RUNNING", "SUCCEEDED");
        assertThat(Long.parseLong(resumed.events.getFirst().id())).isGreaterThan(Long.parseLong(lastSeen));
        resumed.close();
    }

    @Test
    void aStreamFilteredByOwnerSeesOnlyThatOwnersJobs() {
        String mine = newJobId();
        String theirs = newJobId();
        try (Client client = new Client("?owner=dora", null)) {
            publish(
                    JobStatusChanged.of(theirs, "digits", "erin", JobStatus.PENDING, 1, Instant.now()),
                    JobStatusChanged.of(mine, "digits", "dora", JobStatus.PENDING, 1, Instant.now()));
            await().atMost(Duration.ofSeconds(20)).until(() -> !client.events.isEmpty());
            awaitStored(theirs, "PENDING");
            assertThat(client.events)
                    .extracting(e -> e.data().get("jobId").asString())
                    .containsOnly(mine);
        }
    }

    @Test
    void anInvalidResumePositionIsA400NamingIt() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/jobs/stream?after=yesterday"))
                        .header("Authorization", "Bearer " + token("operator"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("after").contains("yesterday");
    }

    private static JobStatusChanged event(String jobId, JobStatus status) {
        return JobStatusChanged.of(jobId, "digits", "alice", status, 1, Instant.now())
                .withBackend(status == JobStatus.PENDING ? null : Backend.ONPREM, null);
    }

    private void awaitStored(String jobId, String status) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var result = rest.get()
                    .uri("/api/jobs/{id}", jobId)
                    .exchange()
                    .expectBody(String.class)
                    .returnResult();
            return result.getStatus().value() == 200
                    && status.equals(JSON.readTree(result.getResponseBody())
                            .get("status")
                            .asString());
        });
    }
}
