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
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** A result says which execution provider ran its model, and results that do not say so still read and validate. */
class JobResultTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-22T10:15:30.123Z");

    private static JobResult result() {
        return new JobResult(
                "j-1",
                "digits",
                "alice",
                1,
                Backend.ONPREM,
                ObjectRef.of("infermesh", "inbox/digits/alice/7.png"),
                ObjectRef.of("infermesh", "results/digits/alice/j-1/result.json"),
                List.of(new Prediction("7", 0.98)),
                new Timings(3L, 1L, 0L, 2L, 1L, 9L),
                NOW,
                0.0000012);
    }

    @Test
    void aResultBuiltWithoutTheProviderSaysNothingAboutIt() {
        JobResult result = result();

        assertThat(result.executionProvider()).isNull();
        assertThat(MAPPER.writeValueAsString(result)).doesNotContain("executionProvider");
        assertThat(validate(MAPPER.writeValueAsString(result))).isEmpty();
    }

    @Test
    void theProviderTravelsThroughJsonAndMatchesTheSchema() {
        JobResult onGpu = result().withExecutionProvider("CUDA");

        String json = MAPPER.writeValueAsString(onGpu);

        assertThat(json).contains("\"executionProvider\":\"CUDA\"");
        assertThat(MAPPER.readValue(json, JobResult.class)).isEqualTo(onGpu);
        assertThat(validate(json)).isEmpty();
    }

    @Test
    void aResultFromBeforeTheFieldReadsWithoutIt() {
        String old = "{\"jobId\":\"j-1\",\"model\":\"digits\",\"owner\":\"alice\",\"attempt\":1,"
                + "\"output\":{\"bucket\":\"infermesh\",\"key\":\"results/digits/alice/j-1/result.json\"},"
                + "\"completedAt\":\"2026-11-22T10:15:30.123Z\"}";

        JobResult read = MAPPER.readValue(old, JobResult.class);

        assertThat(read.executionProvider()).isNull();
        assertThat(read.jobId()).isEqualTo("j-1");
    }

    @Test
    void theSchemaRefusesAProviderItDoesNotName() {
        String json = MAPPER.writeValueAsString(result().withExecutionProvider("GPU"));

        assertThat(validate(json))
                .extracting(ValidationMessage::getMessage)
                .anyMatch(m -> m.contains("executionProvider"));
    }

    private static Set<ValidationMessage> validate(String json) {
        try (InputStream in = JobResultTests.class.getResourceAsStream("/schemas/job-result.schema.json")) {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in);
            return schema.validate(new ObjectMapper().readTree(json));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
