package io.infermesh.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Every record serialises to JSON that its published schema accepts, so external consumers can trust the schemas. */
class SchemaConformanceTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final ObjectMapper READER = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-22T10:15:30.123Z");
    private static final ObjectRef INPUT = new ObjectRef(
            "infermesh",
            "inbox/digits/alice/seven 7.png",
            null,
            "9b2cf535f27731c974343645a3985328",
            1234L,
            "image/png");

    @Test
    void jobRequestedMatchesItsSchema() {
        assertValid("job-requested", new JobRequested("j-1", "digits", "alice", INPUT, NOW, "minio-kafka"));
    }

    @Test
    void jobDispatchedMatchesItsSchema() {
        assertValid(
                "job-dispatched",
                new JobDispatched("j-1", "digits", "alice", INPUT, 1, "model card mode onprem", NOW, NOW, 0.0000012));
    }

    @Test
    void everyKindOfStatusChangeMatchesItsSchema() {
        var pending = JobStatusChanged.of("j-1", "digits", "alice", JobStatus.PENDING, 1, NOW)
                .withInput(INPUT);
        var runnable = JobStatusChanged.of("j-1", "digits", "alice", JobStatus.RUNNABLE, 1, NOW)
                .withBackend(Backend.ONPREM, "model card mode onprem");
        var decided = JobStatusChanged.of("j-1", "digits", "alice", JobStatus.RUNNABLE, 1, NOW)
                .withBackend(Backend.LAMBDA, "cheapest that meets the deadline")
                .withEstimatedCost(0.0000005)
                .withDecision(new PlacementDecision(
                        "auto",
                        Backend.LAMBDA,
                        "cheapest that meets the deadline",
                        60,
                        List.of(
                                new PlacementDecision.Alternative(Backend.LAMBDA, true, 0.0000005, 2.1, "warm"),
                                new PlacementDecision.Alternative(
                                        Backend.ONPREM,
                                        false,
                                        0.0,
                                        95.0,
                                        "backlog of 40 jobs on 2 slots misses the deadline"))));
        var succeeded = JobStatusChanged.of("j-1", "digits", "alice", JobStatus.SUCCEEDED, 1, NOW)
                .withBackend(Backend.ONPREM, null)
                .withOutput(ObjectRef.of("infermesh", "results/digits/alice/j-1/result.json"))
                .withColdStart(false)
                .withTimings(new Timings(3L, 1L, 0L, 2L, 1L, 9L))
                .withPredictions(List.of(new Prediction("7", 0.98), new Prediction("1", 0.01)));
        var coldBatch = JobStatusChanged.of("j-1", "digits", "alice", JobStatus.SUCCEEDED, 1, NOW)
                .withBackend(Backend.ONPREM, null)
                .withColdStart(true)
                .withTimings(new Timings(180L, 1L, 40L, 2L, 1L, 230L, 120L, 3L, 4))
                .withPredictions(List.of(new Prediction("7", 0.98)));
        var failed = JobStatusChanged.of("j-1", "digits", "alice", JobStatus.FAILED, 1, NOW)
                .withFailure(FailureReason.INVALID_INPUT, "the input is not a PNG or JPEG image");
        var throttled = JobStatusChanged.of("j-1", "digits", "alice", JobStatus.FAILED, 1, NOW)
                .withBackend(Backend.LAMBDA, null)
                .withFailure(FailureReason.THROTTLED, "Lambda throttled the job");
        for (var event : List.of(pending, runnable, decided, succeeded, coldBatch, failed, throttled)) {
            assertValid("job-status-changed", event);
        }
    }

    @Test
    void jobResultMatchesItsSchema() {
        assertValid(
                "job-result",
                new JobResult(
                        "j-1",
                        "digits",
                        "alice",
                        1,
                        Backend.ONPREM,
                        INPUT,
                        ObjectRef.of("infermesh", "results/digits/alice/j-1/result.json"),
                        List.of(new Prediction("7", 0.98), new Prediction("1", 0.01)),
                        new Timings(3L, 1L, 0L, 2L, 1L, 9L),
                        NOW,
                        0.0000012));
    }

    @Test
    void poolStatusMatchesItsSchema() {
        assertValid(
                "pool-status", new PoolStatus("digits", "host-1/4242", PoolState.ACTIVE, 1, 2, 1, 3, true, 140L, NOW));
        assertValid(
                "pool-status", new PoolStatus("digits", "host-1/4242", PoolState.ZERO, 0, 2, 0, 0, false, null, NOW));
    }

    @Test
    void aCloudAttemptMatchesTheOneSchemaOfAnAttempt() {
        assertValid(
                "job-dispatched",
                new JobDispatched(
                        "j-1",
                        "digits",
                        "alice",
                        INPUT,
                        2,
                        "fixed by the model card: batch",
                        NOW,
                        NOW,
                        0.0055,
                        Backend.BATCH,
                        ObjectRef.of("infermesh", "results/digits/alice/j-1/result.json"),
                        NOW.plusSeconds(600)));
    }

    @Test
    void theFormerRemoteJobPayloadMatchesTheSchemaAndReadsAsTheOneRecord() {
        // what Lambda and Batch were handed before ADR 0020 (the RemoteJob record, since removed), field by field
        var former = new LinkedHashMap<String, Object>();
        former.put("jobId", "j-1");
        former.put("model", "digits");
        former.put("owner", "alice");
        former.put("attempt", 2);
        former.put("backend", "batch");
        former.put("input", INPUT);
        former.put("output", ObjectRef.of("infermesh", "results/digits/alice/j-1/result.json"));
        former.put("requestedAt", NOW.toString());
        former.put("dispatchedAt", NOW.toString());
        former.put("estimatedCostUsd", 0.0055);
        assertValid("job-dispatched", former);

        JobDispatched read = MAPPER.readValue(MAPPER.writeValueAsString(former), JobDispatched.class);

        assertThat(read)
                .isEqualTo(new JobDispatched(
                        "j-1",
                        "digits",
                        "alice",
                        INPUT,
                        2,
                        null,
                        NOW,
                        NOW,
                        0.0055,
                        Backend.BATCH,
                        ObjectRef.of("infermesh", "results/digits/alice/j-1/result.json"),
                        null));
    }

    @Test
    void aPoolDispatchWrittenBeforeBackendAndOutputReadsAsAnOnpremAttempt() {
        String before = "{\"jobId\":\"j-1\",\"model\":\"digits\",\"owner\":\"alice\","
                + "\"input\":{\"bucket\":\"infermesh\",\"key\":\"inbox/digits/alice/a.png\"},\"attempt\":1,"
                + "\"placementReason\":\"fixed\",\"dispatchedAt\":\"2026-11-22T10:15:30.123Z\"}";

        JobDispatched read = MAPPER.readValue(before, JobDispatched.class);

        assertThat(read.backend()).isNull();
        assertThat(read.backendOrOnprem()).isEqualTo(Backend.ONPREM);
        assertThat(read.output()).isNull();
        assertThat(read.deadline()).isNull();
    }

    @Test
    void batchJobNamesCarryTheJobAndAttempt() {
        String jobId = "0f8fad5b-d9cb-369f-a165-70867728950e";
        String name = JobDispatched.batchJobName(jobId, 12);
        assertThat(name).hasSizeLessThanOrEqualTo(128).matches("[A-Za-z0-9_-]+");
        assertThat(JobDispatched.parseBatchJobName(name)).contains(new JobDispatched.Attempt(jobId, 12));
        assertThat(JobDispatched.parseBatchJobName("nightly-report")).isEmpty();
        assertThat(JobDispatched.parseBatchJobName(null)).isEmpty();
    }

    @Test
    void backendsAndStatusesUseTheirDocumentedSpelling() throws Exception {
        var json = READER.readTree(
                MAPPER.writeValueAsString(JobStatusChanged.of("j-1", "digits", "alice", JobStatus.RUNNABLE, 1, NOW)
                        .withBackend(Backend.ONPREM, "fixed")));
        assertThat(json.get("backend").asText()).isEqualTo("onprem");
        assertThat(json.get("status").asText()).isEqualTo("RUNNABLE");
        assertThat(json.get("occurredAt").asText()).isEqualTo("2026-11-22T10:15:30.123Z");
        assertThat(json.get("eventId").asText()).isEqualTo("j-1/1/RUNNABLE");
        assertThat(json.has("reason")).as("absent optional fields are omitted").isFalse();
    }

    @Test
    void aRecordMissingARequiredFieldIsRejectedBySchema() throws Exception {
        var json = READER.readTree("{\"jobId\":\"j-1\",\"model\":\"digits\"}");
        assertThat(schema("job-requested").validate(json)).isNotEmpty();
    }

    @Test
    void recordsRoundTripThroughJson() {
        var event = JobStatusChanged.of("j-1", "digits", "alice", JobStatus.FAILED, 2, NOW)
                .withFailure(FailureReason.MODEL_ERROR, "boom")
                .withInput(INPUT);
        var back = MAPPER.readValue(MAPPER.writeValueAsString(event), JobStatusChanged.class);
        assertThat(back).isEqualTo(event);
    }

    private static void assertValid(String schemaName, Object record) {
        try {
            String json = MAPPER.writeValueAsString(record);
            Set<ValidationMessage> errors = schema(schemaName).validate(READER.readTree(json));
            assertThat(errors).as("%s against %s", json, schemaName).isEmpty();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonSchema schema(String name) {
        InputStream in = SchemaConformanceTests.class.getResourceAsStream("/schemas/" + name + ".schema.json");
        assertThat(in).as("schema %s on the classpath", name).isNotNull();
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
}
