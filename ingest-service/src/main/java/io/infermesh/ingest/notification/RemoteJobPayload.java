package io.infermesh.ingest.notification;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.Topics;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the {@link JobDispatched} the router handed to a cloud backend, as it comes back inside a Lambda destination
 * record ({@code requestPayload}) or a Batch job ({@code INFERMESH_JOB}); a payload of the former {@code RemoteJob}
 * shape (the same field names, without placement reason and deadline) reads the same (ADR 0020). A payload with none of the identity fields is
 * someone else's; one with only some of them, or with fields of the wrong type, is ours but broken, and says why.
 */
final class RemoteJobPayload {

    /** The fields that make a payload an infermesh job. */
    static final List<String> IDENTITY = List.of("jobId", "model", "owner", "attempt");

    private final ObjectReader reader;

    RemoteJobPayload(JsonMapper json) {
        // a newer router may add fields; what this version needs is checked below
        this.reader = json.readerFor(JobDispatched.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Whether the payload has at least one of the identity fields, i.e. claims to be an infermesh job. */
    static boolean claimsToBeOurs(JsonNode payload) {
        return payload != null && payload.isObject() && IDENTITY.stream().anyMatch(field -> present(payload, field));
    }

    /**
     * The job in a payload that {@linkplain #claimsToBeOurs claims to be ours}.
     *
     * @param where what the payload is, for the error message (e.g. {@code requestPayload})
     * @throws MalformedNotificationException when an identity field is missing or a field has the wrong type
     */
    JobDispatched read(JsonNode payload, String where) {
        if (payload == null || !payload.isObject()) {
            throw new MalformedNotificationException(where + " is not a JSON object");
        }
        List<String> missing =
                IDENTITY.stream().filter(field -> !present(payload, field)).toList();
        if (!missing.isEmpty()) {
            throw new MalformedNotificationException(
                    where + " looks like an infermesh JobDispatched but has no " + String.join(", ", missing));
        }
        JsonNode attempt = payload.get("attempt");
        if (!attempt.isIntegralNumber() || !attempt.canConvertToInt() || attempt.intValue() < 1) {
            throw new MalformedNotificationException(where + ".attempt is not a positive integer: " + attempt);
        }
        JobDispatched job;
        try {
            job = reader.readValue(payload);
        } catch (JacksonException e) {
            throw new MalformedNotificationException(where + " is not a JobDispatched: " + e.getOriginalMessage(), e);
        }
        if (job.model() == null || !Topics.MODEL_NAME.matcher(job.model()).matches()) {
            throw new MalformedNotificationException(where + ".model is not a model name: " + payload.get("model"));
        }
        if (job.jobId().isBlank() || job.owner().isBlank()) {
            throw new MalformedNotificationException(where + " has a blank jobId or owner");
        }
        return job;
    }

    private static boolean present(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        return value != null
                && !value.isNull()
                && !(value.isString() && value.asString().isEmpty());
    }
}
