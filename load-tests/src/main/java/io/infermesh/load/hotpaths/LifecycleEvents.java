package io.infermesh.load.hotpaths;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.router.placement.PlacementPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Lifecycle events of on-prem jobs as the mesh publishes them (ingest's PENDING with the input, the router's RUNNABLE
 * with the placement decision it really makes, the worker's STARTING, RUNNING and SUCCEEDED with output, timings and
 * predictions), for the projection benchmark.
 */
public final class LifecycleEvents {

    /** The statuses of one successful job, in order. */
    public static final List<JobStatus> STATUSES = List.of(JobStatus.PENDING, JobStatus.RUNNABLE, JobStatus.STARTING,
            JobStatus.RUNNING, JobStatus.SUCCEEDED);

    private static final PlacementPolicy.Placed PLACED = (PlacementPolicy.Placed) PlacementBenchmarks
            .policy(PlacementBenchmarks.WARM, PlacementBenchmarks.runTimes())
            .place(PlacementBenchmarks.job(), Optional.of(PlacementBenchmarks.card()), PlacementBenchmarks.NOW);

    private static final List<Prediction> TOP3 = List.of(new Prediction("3", 0.981), new Prediction("8", 0.012),
            new Prediction("5", 0.004));

    private LifecycleEvents() {
    }

    /**
     * Every event of {@code jobs} jobs numbered from {@code first} (distinct numbers give distinct job ids), status by
     * status as a burst of uploads moves through the mesh: all PENDING, then all RUNNABLE, and so on.
     */
    public static List<JobStatusChanged> batch(long first, int jobs, Instant start) {
        List<JobStatusChanged> events = new ArrayList<>(jobs * STATUSES.size());
        for (int s = 0; s < STATUSES.size(); s++) {
            for (int j = 0; j < jobs; j++) {
                events.add(event(first + j, STATUSES.get(s), start.plusMillis(5L * j + 9L * s)));
            }
        }
        return events;
    }

    private static JobStatusChanged event(long n, JobStatus status, Instant at) {
        String owner = List.of("alice", "bob.martin@example.org", "li_wei", "zoe-k").get((int) (n % 4));
        String key = "inbox/digits/" + owner + "/scan " + n + " chiffre été.png";
        String eTag = String.format(Locale.ROOT, "%032x", n * 0x9E3779B97F4A7C15L);
        String jobId = Inbox.jobId(Notifications.MINIO_BUCKET, key, eTag);
        ObjectRef input = new ObjectRef(Notifications.MINIO_BUCKET, key, null, eTag, 40_000 + n % 9_000, "image/png");
        JobStatusChanged event = JobStatusChanged.of(jobId, "digits", owner, status, 1, at);
        return switch (status) {
            case PENDING -> event.withInput(input);
            case RUNNABLE -> event.withBackend(Backend.ONPREM, PLACED.reason()).withDecision(PLACED.decision())
                    .withEstimatedCost(PLACED.estimatedCostUsd()).withInput(input);
            case STARTING, RUNNING -> event.withBackend(Backend.ONPREM, null).withColdStart(false);
            case SUCCEEDED -> event.withBackend(Backend.ONPREM, null)
                    .withOutput(new ObjectRef(Notifications.MINIO_BUCKET, "results/digits/" + owner + "/" + jobId
                            + "/result.json", null, "0f343b0931126a20f133d67c2b018a3b", 412L, "application/json"))
                    .withColdStart(false).withTimings(new Timings(14L, 3L, 0L, 1L, 4L, 27L)).withPredictions(TOP3)
                    .withEstimatedCost(PLACED.estimatedCostUsd()).withMessage("top answer '3' with probability 0.981");
            case FAILED, CANCELLED -> throw new IllegalArgumentException("the batch has no failures");
        };
    }
}
