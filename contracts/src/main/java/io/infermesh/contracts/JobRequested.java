package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A job exists: an object landed in an inbox and names a model and an owner. Published by ingest-service on
 * {@link Topics#JOBS_REQUESTED}, keyed by {@code jobId}.
 *
 * @param jobId deterministic from bucket, key and object version, so a duplicate notification is the same job
 * @param model the model name from the key ({@code <prefix><model>/<owner>/<file>})
 * @param owner the owner from the key
 * @param input the uploaded object
 * @param requestedAt when the object was stored (the notification's event time)
 * @param intake which intake path announced it, e.g. {@code minio-kafka}, or {@code retry}
 * @param requestedBackend the backend its owner asked for (the gateway's placement choice, carried as the object's
 *     {@code x-amz-meta-infermesh-placement} metadata, ADR 0017); null: the model card decides. The router honours it
 *     only within the card's allowed modes and says so in the placement reason
 * @param attempt the attempt this request starts; null means 1. A retry of a failed job (status-service, ADR 0016)
 *     asks for the next attempt of the same job id
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRequested(
        String jobId,
        String model,
        String owner,
        ObjectRef input,
        Instant requestedAt,
        String intake,
        Backend requestedBackend,
        Integer attempt) {

    /** A first request, with the card's own placement. */
    public JobRequested(String jobId, String model, String owner, ObjectRef input, Instant requestedAt, String intake) {
        this(jobId, model, owner, input, requestedAt, intake, null, null);
    }

    /** The attempt this request starts (1 unless it is a retry). */
    public int attemptOrFirst() {
        return attempt == null ? 1 : attempt;
    }

    /** The same request, asking for {@code backend} (null: the card decides). */
    public JobRequested withRequestedBackend(Backend backend) {
        return new JobRequested(jobId, model, owner, input, requestedAt, intake, backend, attempt);
    }
}
