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
 * @param intake which intake path announced it, e.g. {@code minio-kafka}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRequested(String jobId, String model, String owner, ObjectRef input, Instant requestedAt,
        String intake) {
}
