package io.infermesh.contracts;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The topic catalogue: every topic the mesh uses, with one writer each. Job topics are keyed by {@code jobId} so that
 * one job's events stay ordered on one partition.
 */
public final class Topics {

    /** Dead letters of a topic are on {@code <topic>.dlq}. */
    public static final String DLQ_SUFFIX = ".dlq";

    /** Prefix of the per-model dispatch topics. */
    public static final String DISPATCH_PREFIX = "infermesh.jobs.dispatch.";

    /** A model name as it may appear in a topic name and an object key. */
    public static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /**
     * Bucket notifications in MinIO's Kafka-target format ({@code {"EventName","Key","Records":[...]}}), keyed by
     * {@code <bucket>/<key>}. Written by MinIO (or the local S3 endpoint); read by ingest-service.
     */
    public static final Topic<String, String> STORAGE_EVENTS = new Topic<>(
            "infermesh.storage.events",
            String.class,
            String.class,
            null,
            "Bucket notifications in MinIO's Kafka target format. Writer: the object store. Reader: ingest-service.");

    /** Jobs that exist, and retries of failed ones. Writers: ingest-service; status-service (a retry its owner asked
     *  for: the next attempt of the same job). Reader: router-service. */
    public static final Topic<String, JobRequested> JOBS_REQUESTED = new Topic<>(
            "infermesh.jobs.requested",
            String.class,
            JobRequested.class,
            CloudEventTypes.JOB_REQUESTED,
            "Jobs that exist. Writers: ingest-service; status-service for retries (attempt > 1). Reader:"
                    + " router-service.");

    /** Every status change of every job. Writers: every service that moves a job (status-service settles dead-lettered ones). */
    public static final Topic<String, JobStatusChanged> JOBS_LIFECYCLE = new Topic<>(
            "infermesh.jobs.lifecycle",
            String.class,
            JobStatusChanged.class,
            CloudEventTypes.JOB_STATUS_CHANGED,
            "Every status change of every job. Writers: ingest, router, worker, and status-service for"
                    + " dead-lettered jobs. Reader: status-service and anyone.");

    /** Results for external subscribers. Writers: worker-service (on-prem), ingest-service and router-service
     *  (Lambda and Batch completions). */
    public static final Topic<String, JobResult> JOBS_RESULTS = new Topic<>(
            "infermesh.jobs.results",
            String.class,
            JobResult.class,
            CloudEventTypes.JOB_RESULT,
            "Results of succeeded jobs. Writers: worker-service (on-prem), ingest-service (Lambda and Batch"
                    + " completions), router-service (Batch jobs seen by polling). Readers: external subscribers.");

    /** What each worker pool can take: capacity, backlog, cold or warm. Writer: worker-service. Readers: router,
     *  dashboards. */
    public static final Topic<String, PoolStatus> WORKER_POOLS = new Topic<>(
            "infermesh.workers.pools",
            String.class,
            PoolStatus.class,
            CloudEventTypes.POOL_STATUS,
            "Capacity and backlog of each worker instance's pool of each model. Writer: worker-service. Readers:"
                    + " router-service, dashboards.");

    /** How long a cancellation is kept on {@link #JOBS_CANCELLATIONS}: longer than any dispatch stays queued. */
    public static final Duration CANCELLATIONS_RETENTION = Duration.ofDays(7);

    /**
     * Cancellations of jobs, for the workers that might still take their dispatch (ADR 0016): the {@code CANCELLED}
     * {@link JobStatusChanged} also published on {@link #JOBS_LIFECYCLE}, with the same CloudEvents id. Compacted
     * (one record per job is all a reader needs) and deleted after {@link #CANCELLATIONS_RETENTION}, so that a
     * reader can take the whole topic from its beginning. Writer: status-service. Readers: every worker-service
     * instance, the whole topic (no shared group). Created by worker-service with this configuration (see
     * {@link Topic#config()}); not one of the {@link #fixed()} topics created before the services start.
     */
    public static final Topic<String, JobStatusChanged> JOBS_CANCELLATIONS = new Topic<>(
            "infermesh.jobs.cancellations",
            String.class,
            JobStatusChanged.class,
            CloudEventTypes.JOB_STATUS_CHANGED,
            "Cancelled jobs (the CANCELLED lifecycle event again). Writer: status-service. Readers: every"
                    + " worker-service instance, from the beginning, to skip cancelled dispatches.",
            Map.of(
                    "cleanup.policy",
                    "compact,delete",
                    "retention.ms",
                    Long.toString(CANCELLATIONS_RETENTION.toMillis())));

    private Topics() {}

    /** The dispatch topic of a model's on-prem pool. Writer: router-service. Reader: the model's workers. */
    public static Topic<String, JobDispatched> dispatch(String model) {
        if (model == null || !MODEL_NAME.matcher(model).matches()) {
            throw new IllegalArgumentException("not a model name: " + model);
        }
        return new Topic<>(
                DISPATCH_PREFIX + model,
                String.class,
                JobDispatched.class,
                CloudEventTypes.JOB_DISPATCHED,
                "Jobs placed on the on-prem pool of model " + model + ". Writer: router. Reader: its workers.");
    }

    /**
     * The fixed topics, which the deployments create before any service starts (the dispatch topics are one per
     * model, see {@link #dispatch(String)}; {@link #JOBS_CANCELLATIONS} is created by worker-service with its
     * configuration).
     */
    public static List<Topic<?, ?>> fixed() {
        return List.of(STORAGE_EVENTS, JOBS_REQUESTED, JOBS_LIFECYCLE, JOBS_RESULTS, WORKER_POOLS);
    }
}
