package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Who sees what (ADR 0014), with real tokens of a real OIDC provider: alice sees her jobs and nobody else's, in every
 * read (by id, history, list, statistics, live stream) and every action; an operator sees everyone's; without a valid
 * token nothing answers. Each refusal is asserted exactly, and that the refused body holds none of bob's data.
 */
class TenancyIntegrationTests extends StatusServiceIntegrationTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration PROJECTED = Duration.ofSeconds(30);

    @LocalServerPort
    int port;

    /** One job of alice's and one of bob's, both succeeded, with a marker only bob's job carries. */
    private record Jobs(String alices, String bobs, String bobsSecret) {}

    private Jobs aliceAndBobEachHaveAJob() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String alices = newJobId();
        String bobs = newJobId();
        String secret = "bobs-private-file-" + run + ".png";
        publish(pending(alices, "alice", "mnist/alice/" + run + ".png"), pending(bobs, "bob", "mnist/bob/" + secret));
        await().atMost(PROJECTED).untilAsserted(() -> {
            rest.get().uri("/api/jobs/{id}", alices).exchange().expectStatus().isOk();
            rest.get().uri("/api/jobs/{id}", bobs).exchange().expectStatus().isOk();
        });
        return new Jobs(alices, bobs, secret);
    }

    @Test
    void aliceReadsHerOwnJobByIdAndItsHistory() {
        Jobs jobs = aliceAndBobEachHaveAJob();
        as("alice")
                .get()
                .uri("/api/jobs/{id}", jobs.alices())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.owner")
                .isEqualTo("alice");
        as("alice")
                .get()
                .uri("/api/jobs/{id}/events", jobs.alices())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.events[0].status")
                .isEqualTo("PENDING");
    }

    @Test
    void bobsJobByIdIsToAliceExactlyWhatAJobThatDoesNotExistIs() {
        Jobs jobs = aliceAndBobEachHaveAJob();
        for (String path : List.of("/api/jobs/{id}", "/api/jobs/{id}/events")) {
            String bobs = as("alice")
                    .get()
                    .uri(path, jobs.bobs())
                    .exchange()
                    .expectStatus()
                    .isNotFound()
                    .expectHeader()
                    .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
            String nobodys = as("alice")
                    .get()
                    .uri(path, jobs.bobs() + "-x")
                    .exchange()
                    .expectStatus()
                    .isNotFound()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
            assertThat(bobs)
                    .as(path)
                    .isEqualTo(nobodys.replace(jobs.bobs() + "-x", jobs.bobs()))
                    .contains("\"title\":\"Job not found\"")
                    .doesNotContain("bob\"")
                    .doesNotContain(jobs.bobsSecret());
        }
        for (String action : List.of("cancel", "retry")) {
            as("alice")
                    .post()
                    .uri("/api/jobs/{id}/" + action, jobs.bobs())
                    .exchange()
                    .expectStatus()
                    .isNotFound()
                    .expectBody()
                    .jsonPath("$.title")
                    .isEqualTo("Job not found");
        }
        rest.get()
                .uri("/api/jobs/{id}", jobs.bobs())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("PENDING");
    }

    @Test
    void aliceListsOnlyHerOwnJobsAndNamingBobIsA403() {
        Jobs jobs = aliceAndBobEachHaveAJob();
        String mine = as("alice")
                .get()
                .uri("/api/jobs?limit=1000")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(mine).contains(jobs.alices()).doesNotContain(jobs.bobs()).doesNotContain("\"owner\":\"bob\"");
        as("alice")
                .get()
                .uri("/api/jobs?owner=alice&limit=1000")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.jobs[*].owner")
                .value(owners -> assertThat((List<?>) owners).isNotEmpty().allMatch("alice"::equals));

        for (String path : List.of("/api/jobs?owner=bob", "/api/jobs/stats?owner=bob")) {
            String refusal = as("alice")
                                    .get()
                                    .uri(path)
                                    .exchange()
                                    .expectStatus()
                                    .isForbidden()
                                    .expectHeader()
                                    .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                                    .expectBody()
                                    .jsonPath("$.title")
                                    .isEqualTo("Another owner's jobs")
                                    .jsonPath("$.detail")
                                    .isEqualTo(
                                            "You can see only your own jobs (owner 'alice'); leave owner out, or name yourself")
                                    .jsonPath("$.parameter")
                                    .isEqualTo("owner")
                                    .returnResult()
                                    .getResponseBodyContent()
                            instanceof byte[] body
                    ? new String(body, StandardCharsets.UTF_8)
                    : "";
            assertThat(refusal).as(path).doesNotContain(jobs.bobs()).doesNotContain(jobs.bobsSecret());
        }
    }

    @Test
    void aliceStatisticsCountOnlyHerJobsWhileTheOperatorCountsEveryOnes() {
        aliceAndBobEachHaveAJob();
        long alices = as("alice")
                .get()
                .uri("/api/jobs/stats")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody()
                .get("jobs")
                .asLong();
        long operators = rest.get()
                .uri("/api/jobs/stats")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody()
                .get("jobs")
                .asLong();
        long bobs = rest.get()
                .uri("/api/jobs/stats?owner=bob")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody()
                .get("jobs")
                .asLong();
        as("alice")
                .get()
                .uri("/api/jobs/stats")
                .exchange()
                .expectBody()
                .jsonPath("$.filter.owner")
                .isEqualTo("alice");
        assertThat(alices).isPositive();
        assertThat(bobs).isPositive();
        assertThat(operators).isGreaterThanOrEqualTo(alices + bobs);
    }

    @Test
    void theOperatorListsAnyOwnersJobs() {
        Jobs jobs = aliceAndBobEachHaveAJob();
        String all = rest.get()
                .uri("/api/jobs?limit=1000")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(all).contains(jobs.alices()).contains(jobs.bobs());
        rest.get()
                .uri("/api/jobs?owner=bob&limit=1000")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.jobs[*].owner")
                .value(owners -> assertThat((List<?>) owners).isNotEmpty().allMatch("bob"::equals));
    }

    @Test
    void aliceStreamCarriesOnlyHerJobsEventsWhateverSheFiltersBy() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String alices = newJobId();
        String bobs = newJobId();
        List<String> everything = new CopyOnWriteArrayList<>();
        List<String> byId = new CopyOnWriteArrayList<>();
        HttpResponse<Stream<String>> all = openStream("alice", "");
        HttpResponse<Stream<String>> bobsById = openStream("alice", "?jobId=" + bobs);
        HttpResponse<Stream<String>> operators = openStream("operator", "?jobId=" + bobs);
        List<String> operatorSees = new CopyOnWriteArrayList<>();
        assertThat(List.of(all.statusCode(), bobsById.statusCode(), operators.statusCode()))
                .containsOnly(200);
        Thread.ofVirtual().start(() -> all.body().forEach(everything::add));
        Thread.ofVirtual().start(() -> bobsById.body().forEach(byId::add));
        Thread.ofVirtual().start(() -> operators.body().forEach(operatorSees::add));

        publish(pending(bobs, "bob", "mnist/bob/" + run + ".png"));
        await().atMost(PROJECTED).until(() -> operatorSees.stream().anyMatch(l -> l.contains(bobs)));
        publish(pending(alices, "alice", "mnist/alice/" + run + ".png"));
        await().atMost(PROJECTED).until(() -> everything.stream().anyMatch(l -> l.contains(alices)));
        for (HttpResponse<Stream<String>> stream : List.of(all, bobsById, operators)) {
            stream.body().close();
        }
        assertThat(everything).noneMatch(l -> l.contains(bobs) || l.contains("\"owner\":\"bob\""));
        assertThat(byId).noneMatch(l -> l.startsWith("data:"));

        HttpResponse<String> refused =
                HTTP.send(streamRequest("alice", "?owner=bob").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("Another owner's jobs").doesNotContain(bobs);
    }

    @Test
    void withoutAValidTokenNothingAnswersAndTheRefusalSaysWhy() throws Exception {
        Jobs jobs = aliceAndBobEachHaveAJob();
        String forged = forge(token("alice"));
        String expired = identity().expiredToken("alice", Duration.ofMinutes(5));
        for (String path : List.of(
                "/api/jobs",
                "/api/jobs/" + jobs.bobs(),
                "/api/jobs/" + jobs.bobs() + "/events",
                "/api/jobs/stats",
                "/api/jobs/stream")) {
            for (String token : new String[] {null, forged, expired, "not-a-jwt"}) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
                if (token != null) {
                    request.header("Authorization", "Bearer " + token);
                }
                HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode())
                        .as(path + " " + (token == null ? "no token" : token))
                        .isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate"))
                        .as(path)
                        .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
                if (token != null) {
                    assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
                            .contains("error=\"invalid_token\"");
                }
                assertThat(response.body()).as(path).doesNotContain(jobs.bobs()).doesNotContain("bob");
            }
        }
        for (String action : List.of("cancel", "retry")) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/api/jobs/" + jobs.bobs() + "/" + action))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
        }
        rest.get()
                .uri("/api/jobs/{id}", jobs.bobs())
                .exchange()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("PENDING");
    }

    @Test
    void onlyTheApiAndItsDocumentAreOnTheServicePort() throws Exception {
        anonymous.get().uri("/openapi.yaml").exchange().expectStatus().isOk();
        for (String path : List.of("/", "/actuator/health", "/status-service.yml", "/db/migration/status")) {
            anonymous.get().uri(path).exchange().expectStatus().isUnauthorized();
            as("alice")
                    .get()
                    .uri(path)
                    .exchange()
                    .expectStatus()
                    .isForbidden()
                    .expectBody()
                    .isEmpty();
        }
    }

    @Test
    void theActuatorShowsHealthToAnyoneButItsDetailsAndMetricsOnlyToOperators() {
        RestTestClient anonymousManagement = management
                .mutate()
                .defaultHeaders(h -> h.remove("Authorization"))
                .build();
        RestTestClient aliceManagement = management
                .mutate()
                .defaultHeaders(h -> h.setBearerAuth(token("alice")))
                .build();
        anonymousManagement
                .get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP")
                .jsonPath("$.components")
                .doesNotExist();
        aliceManagement
                .get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.components")
                .doesNotExist();
        management
                .get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.components.db.status")
                .isEqualTo("UP");
        anonymousManagement
                .get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk();
        for (String path : List.of("/actuator/info", "/actuator/metrics")) {
            anonymousManagement.get().uri(path).exchange().expectStatus().isUnauthorized();
            aliceManagement.get().uri(path).exchange().expectStatus().isForbidden();
            management.get().uri(path).exchange().expectStatus().isOk();
        }
    }

    private static JobStatusChanged pending(String jobId, String owner, String key) {
        return JobStatusChanged.of(jobId, "mnist", owner, JobStatus.PENDING, 1, Instant.now())
                .withInput(new ObjectRef("infermesh", "inbox/" + key, null, "e1", 10L, "image/png"));
    }

    private HttpResponse<Stream<String>> openStream(String user, String query) throws Exception {
        return HTTP.send(streamRequest(user, query).build(), HttpResponse.BodyHandlers.ofLines());
    }

    private HttpRequest.Builder streamRequest(String user, String query) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs/stream" + query))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token(user));
    }

    /** alice's token with its payload changed to bob's name: the signature no longer matches. */
    private static String forge(String token) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"alice\"", "\"bob\"");
        return parts[0] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "."
                + parts[2];
    }
}
