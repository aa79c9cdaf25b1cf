package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The clear errors of the REST API and its published OpenAPI document. */
class JobsApiIntegrationTests extends StatusServiceIntegrationTest {

    @Test
    void anUnknownJobIdIsA404ProblemNamingTheId() {
        rest.get()
                .uri("/api/jobs/{id}", "no-such-job")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo(404)
                .jsonPath("$.title")
                .isEqualTo("Job not found")
                .jsonPath("$.detail")
                .isEqualTo("No job with id 'no-such-job'")
                .jsonPath("$.jobId")
                .isEqualTo("no-such-job")
                .jsonPath("$.instance")
                .isEqualTo("/api/jobs/no-such-job");
        rest.get()
                .uri("/api/jobs/{id}/events", "no-such-job")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void anUnknownStatusIsA400ProblemListingTheLegalValues() {
        rest.get()
                .uri("/api/jobs?status=DONE")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Unknown status")
                .jsonPath("$.detail")
                .isEqualTo(
                        "status 'DONE' is not one of PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED, CANCELLED")
                .jsonPath("$.parameter")
                .isEqualTo("status")
                .jsonPath("$.legalValues")
                .isEqualTo(List.of("PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"));
    }

    @Test
    void aLimitOutOfRangeIsA400Problem() {
        for (String limit : new String[] {"0", "1001", "-5"}) {
            rest.get()
                    .uri("/api/jobs?limit={l}", limit)
                    .exchange()
                    .expectStatus()
                    .isBadRequest()
                    .expectHeader()
                    .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody()
                    .jsonPath("$.detail")
                    .isEqualTo("limit must be between 1 and 1000, got " + limit)
                    .jsonPath("$.parameter")
                    .isEqualTo("limit");
        }
    }

    @Test
    void aLimitThatIsNotANumberIsA400Problem() {
        rest.get()
                .uri("/api/jobs?limit=many")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void theServiceServesItsOpenApiDocumentWithEveryEndpoint() {
        byte[] body = anonymous
                .get()
                .uri("/openapi.yaml")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();

        JsonNode document = new YAMLMapper().readTree(body);
        assertThat(document.get("openapi").asString()).isEqualTo("3.1.0");
        assertThat(document.get("paths").propertyNames())
                .containsExactlyInAnyOrder(
                        "/api/jobs",
                        "/api/jobs/{jobId}",
                        "/api/jobs/{jobId}/events",
                        "/api/jobs/stats",
                        "/api/jobs/stream",
                        "/api/jobs/{jobId}/cancel",
                        "/api/jobs/{jobId}/retry",
                        "/api/dead-letters");
        for (Map.Entry<String, String> operation : Map.of(
                        "/api/jobs",
                        "listJobs",
                        "/api/jobs/{jobId}",
                        "getJob",
                        "/api/jobs/{jobId}/events",
                        "getJobEvents",
                        "/api/jobs/stats",
                        "jobStatistics",
                        "/api/jobs/stream",
                        "streamJobStatusChanges",
                        "/api/dead-letters",
                        "listDeadLetters")
                .entrySet()) {
            assertThat(document.at("/paths/" + operation.getKey().replace("/", "~1") + "/get/operationId")
                            .asString())
                    .isEqualTo(operation.getValue());
        }
        assertThat(document.at("/paths/~1api~1jobs~1{jobId}~1cancel/post/operationId")
                        .asString())
                .isEqualTo("cancelJob");
        assertThat(document.at("/paths/~1api~1jobs~1{jobId}~1retry/post/operationId")
                        .asString())
                .isEqualTo("retryJob");
        assertThat(document.at("/components/securitySchemes/bearer/scheme").asString())
                .isEqualTo("bearer");
    }
}
