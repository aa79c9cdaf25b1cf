package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Timings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Lists with filters, sorting and cursor pagination, the job of an input object, and statistics. */
class QueryApiIntegrationTests extends StatusServiceIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** This class's jobs belong to this owner, so other tests' jobs never show up in its lists. */
    private static final String OWNER = "q-" + UUID.randomUUID().toString().substring(0, 8);

    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
    private static final List<String> IDS = new ArrayList<>();

    @BeforeAll
    static void fiveJobs() {
        Backend[] backends = {Backend.ONPREM, Backend.ONPREM, Backend.LAMBDA, Backend.BATCH, Backend.LAMBDA};
        for (int i = 0; i < 5; i++) {
            String jobId = "q-" + i + "-" + UUID.randomUUID();
            IDS.add(jobId);
            Instant at = T0.plus(Duration.ofMinutes(i));
            String model = i < 3 ? "digits" : "iris";
            JobStatusChanged pending = JobStatusChanged.of(jobId, model, OWNER, JobStatus.PENDING, 1, at)
                    .withInput(new ObjectRef(
                            "inbox",
                            model + "/" + OWNER + "/file " + i + ".png",
                            "v" + i,
                            "e" + i,
                            100L + i,
                            "image/png"));
            JobStatusChanged end = i == 3
                    ? JobStatusChanged.of(jobId, model, OWNER, JobStatus.FAILED, 1, at.plusSeconds(5))
                            .withBackend(backends[i], null)
                            .withFailure(FailureReason.BACKEND_ERROR, "exit 1")
                    : JobStatusChanged.of(jobId, model, OWNER, JobStatus.SUCCEEDED, 1, at.plusSeconds(5))
                            .withBackend(backends[i], null)
                            .withEstimatedCost(0.001 * (i + 1))
                            .withTimings(new Timings(100L * (i + 1), 10L, 0L, 20L * (i + 1), 5L, 1000L));
            publish(pending, end);
        }
    }

    @Test
    void aCursorWalksEveryJobOnceNewestFirst() {
        awaitAll();
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = get("/api/jobs?owner=" + OWNER + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("jobs").forEach(j -> seen.add(j.get("jobId").asString()));
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asString();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly(IDS.get(4), IDS.get(3), IDS.get(2), IDS.get(1), IDS.get(0));
    }

    @Test
    void oldestFirstAndFiltersByBackendModelAndTimeRange() {
        awaitAll();
        assertThat(ids(get("/api/jobs?owner=" + OWNER + "&sort=createdAt"))).containsExactlyElementsOf(IDS);
        assertThat(ids(get("/api/jobs?owner=" + OWNER + "&backend=lambda"))).containsExactly(IDS.get(4), IDS.get(2));
        assertThat(ids(get("/api/jobs?owner=" + OWNER + "&model=iris&status=FAILED")))
                .containsExactly(IDS.get(3));
        assertThat(ids(get("/api/jobs?owner=" + OWNER + "&from=2026-11-01T10:01:00Z&to=2026-11-01T10:03:00Z")))
                .containsExactly(IDS.get(2), IDS.get(1));
    }

    @Test
    void theJobOfAnInputObjectIsFoundByBucketKeyAndVersion() {
        awaitAll();
        String key = "digits/" + OWNER + "/file 2.png";
        JsonNode found = get("/api/jobs?bucket=inbox&key={key}&versionId=v2", key);
        assertThat(ids(found)).containsExactly(IDS.get(2));
        assertThat(found.get("jobs").get(0).get("input").get("key").asString()).isEqualTo(key);
        assertThat(ids(get("/api/jobs?bucket=inbox&key={key}&versionId=v9", key)))
                .isEmpty();
    }

    @Test
    void statisticsCountPerStatusModelAndBackendWithPercentilesAndCost() {
        awaitAll();
        JsonNode stats = get("/api/jobs/stats?owner=" + OWNER);
        assertThat(stats.get("filter").propertyNames())
                .as("only the filters given")
                .containsExactly("owner");
        assertThat(stats.get("jobs").asLong()).isEqualTo(5);
        assertThat(stats.get("byStatus").get("SUCCEEDED").asLong()).isEqualTo(4);
        assertThat(stats.get("byStatus").get("FAILED").asLong()).isEqualTo(1);
        assertThat(stats.get("byModel").get("digits").asLong()).isEqualTo(3);
        assertThat(stats.get("byBackend").get("lambda").asLong()).isEqualTo(2);
        assertThat(stats.get("byBackend").get("onprem").asLong()).isEqualTo(2);
        // queue waits 100, 200, 300, 500 ms (the failed job has none): median 250
        assertThat(stats.get("queueWaitMs").get("count").asLong()).isEqualTo(4);
        assertThat(stats.get("queueWaitMs").get("p50").asDouble()).isEqualTo(250.0);
        assertThat(stats.get("queueWaitMs").get("max").asLong()).isEqualTo(500);
        // run = download 10 + inference 20..100 + upload 5
        assertThat(stats.get("runMs").get("max").asLong()).isEqualTo(115);
        assertThat(stats.get("estimatedCostUsd").asDouble())
                .isCloseTo(0.001 + 0.002 + 0.003 + 0.005, Offset.offset(1e-9));
        assertThat(get("/api/jobs/stats?owner=" + OWNER + "&backend=batch")
                        .get("jobs")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void badParametersAre400ProblemsNamingTheParameter() {
        for (String[] bad : new String[][] {
            {"backend=gpu", "backend"},
            {"from=yesterday", "from"},
            {"sort=name", "sort"},
            {"cursor=not-a-cursor", "cursor"},
            {"from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from"}
        }) {
            rest.get()
                    .uri("/api/jobs?" + bad[0])
                    .exchange()
                    .expectStatus()
                    .isBadRequest()
                    .expectHeader()
                    .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody()
                    .jsonPath("$.parameter")
                    .isEqualTo(bad[1]);
        }
        rest.get()
                .uri("/api/jobs/stats?backend=gpu")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.parameter")
                .isEqualTo("backend");
        // a cursor from a newest-first list cannot continue an oldest-first one
        String cursor =
                get("/api/jobs?owner=" + OWNER + "&limit=1").get("nextCursor").asString();
        rest.get()
                .uri("/api/jobs?owner=" + OWNER + "&sort=createdAt&cursor=" + cursor)
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Cursor of another order");
    }

    private void awaitAll() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ids(get("/api/jobs?owner=" + OWNER)).size() == 5
                        && get("/api/jobs?owner=" + OWNER + "&status=PENDING")
                                .get("jobs")
                                .isEmpty());
    }

    private JsonNode get(String uri, Object... variables) {
        return JSON.readTree(rest.get()
                .uri(uri, variables)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.get("jobs").forEach(j -> ids.add(j.get("jobId").asString()));
        return ids;
    }
}
