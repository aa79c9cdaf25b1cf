package io.infermesh.status.projection;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.PlacementDecision;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Lifecycle events of on-prem jobs as the mesh publishes them (ingest's PENDING with the input, the router's RUNNABLE
 * with its placement decision, the worker's STARTING, RUNNING and SUCCEEDED with output, timings and predictions), for
 * {@link ProjectionBenchmarks}. They are records of the contracts, written out here as the other services fill them:
 * job ids derived from bucket, key and eTag as ingest derives them, and the decision the router's {@code auto} policy
 * makes for the digits card with an idle pool.
 */
final class LifecycleEvents {

    /** The statuses of one successful job, in order. */
    static final List<JobStatus> STATUSES = List.of(JobStatus.PENDING, JobStatus.RUNNABLE, JobStatus.STARTING,
            JobStatus.RUNNING, JobStatus.SUCCEEDED);

    private static final String BUCKET = "infermesh";

    private static final String REASON = "auto: the on-prem pool is the cheapest backend expected to finish before "
            + "the deadline ($0, 0.21 s)";

    private static final PlacementDecision DECISION = new PlacementDecision("auto", Backend.ONPREM, REASON, 60,
            List.of(new PlacementDecision.Alternative(Backend.ONPREM, true, 0.0, 0.21424,
                            "backlog 0 (0.00 s of work) on 2 slots, run 0.21 s, warm"),
                    new PlacementDecision.Alternative(Backend.LAMBDA, true, 5.8943E-6, 0.342,
                            "1024 MB, run 0.34 s, warm"),
                    new PlacementDecision.Alternative(Backend.BATCH, true, 0.00111666, 30.28,
                            "1 vCPU, start warm 30.00 s, run 0.28 s")));

    private static final List<Prediction> TOP3 = List.of(new Prediction("3", 0.981), new Prediction("8", 0.012),
            new Prediction("5", 0.004));

    private LifecycleEvents() {
    }

    /**
     * Every event of {@code jobs} jobs numbered from {@code first} (distinct numbers give distinct job ids), status by
     * status as a burst of uploads moves through the mesh: all PENDING, then all RUNNABLE, and so on.
     */
    static List<JobStatusChanged> batch(long first, int jobs, Instant start) {
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
        String jobId = UUID.nameUUIDFromBytes(("s3://" + BUCKET + "/" + key + "#" + eTag)
                .getBytes(StandardCharsets.UTF_8)).toString();
        ObjectRef input = new ObjectRef(BUCKET, key, null, eTag, 40_000 + n % 9_000, "image/png");
        JobStatusChanged event = JobStatusChanged.of(jobId, "digits", owner, status, 1, at);
        return switch (status) {
            case PENDING -> event.withInput(input);
            case RUNNABLE -> event.withBackend(Backend.ONPREM, REASON).withDecision(DECISION).withEstimatedCost(0.0)
                    .withInput(input);
            case STARTING, RUNNING -> event.withBackend(Backend.ONPREM, null).withColdStart(false);
            case SUCCEEDED -> event.withBackend(Backend.ONPREM, null)
                    .withOutput(new ObjectRef(BUCKET, "results/digits/" + owner + "/" + jobId + "/result.json", null,
                            "0f343b0931126a20f133d67c2b018a3b", 412L, "application/json"))
                    .withColdStart(false).withTimings(new Timings(14L, 3L, 0L, 1L, 4L, 27L)).withPredictions(TOP3)
                    .withEstimatedCost(0.0).withMessage("top answer '3' with probability 0.981");
            case FAILED, CANCELLED -> throw new IllegalArgumentException("the batch has no failures");
        };
    }
}
