package io.infermesh.faults;

import io.infermesh.mesh.ProcessMesh;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One scenario: a fresh owner's workload of {@code jobs} uploads, one fault injected at a random moment of the upload
 * window, then waiting for quiet (every object has a terminal job and no record arrived for a few seconds) or the
 * bound, then the checks.
 */
final class ScenarioRun {

    /** How the workload runs and how long the mesh may take. */
    record Plan(int jobs, double perSecond, Duration bound, Duration quiet) {}

    /** The verdict and what the fault noted. */
    record Outcome(Checks.Verdict verdict, String note, Duration faultAfter) {}

    private final ProcessMesh mesh;
    private final Workload workload;
    private final Plan plan;
    private final Random random;

    ScenarioRun(ProcessMesh mesh, Workload workload, Plan plan, Random random) {
        this.mesh = mesh;
        this.workload = workload;
        this.plan = plan;
        this.random = random;
    }

    Outcome run(Fault fault, String owner) {
        String statusUrl = mesh.url("status-service");
        try (TopicRecorder recorder = new TopicRecorder(mesh.kafkaBootstrapServers(), owner);
                Outside outside = new Outside(
                        mesh.s3Endpoint(),
                        mesh.s3AccessKey(),
                        mesh.s3SecretKey(),
                        statusUrl,
                        () -> mesh.identity().operatorToken())) {
            double window = plan.perSecond() > 0 ? plan.jobs() / plan.perSecond() : 1;
            // somewhere in the middle of the uploads: jobs are queued, running and finishing when it strikes
            Duration delay = Duration.ofMillis((long) (1000 * window * (0.2 + 0.4 * random.nextDouble())));
            Instant started = Instant.now();
            Instant[] faultAt = new Instant[1];
            CompletableFuture<String> injected = CompletableFuture.supplyAsync(() -> {
                Workload.pause(delay);
                faultAt[0] = Instant.now();
                System.out.printf("  %s: %s after %.1f s%n", owner, fault.description(), delay.toMillis() / 1000.0);
                return fault.inject(new Fault.Target(mesh, recorder, statusUrl));
            });
            List<Checks.Upload> uploads = workload.run(outside, owner, plan.jobs(), plan.perSecond(), plan.bound());
            String note = injected.join();
            Instant lastUpload = Instant.now();
            awaitQuiet(outside, recorder, owner, uploads.size(), lastUpload.plus(plan.bound()));
            Checks.Observed seen = new Checks.Observed(
                    uploads,
                    retry(() -> outside.jobs(owner)),
                    recorder.events(),
                    recorder.results(),
                    retry(() -> outside.resultFiles(owner)));
            Checks.Verdict verdict = Checks.check(fault.name(), seen, faultAt[0]);
            return new Outcome(verdict, note, Duration.between(started, faultAt[0]));
        }
    }

    /**
     * Polls until every uploaded object has a terminal job in the status API and the topics have been quiet for
     * {@code plan.quiet()}, or the deadline passes (the checks then name what is stuck). While a component is down
     * the API may not answer; that is waited out too.
     */
    private void awaitQuiet(Outside outside, TopicRecorder recorder, String owner, int uploads, Instant deadline) {
        while (Instant.now().isBefore(deadline)) {
            try {
                List<Checks.ApiJob> jobs = outside.jobs(owner);
                boolean allTerminal = jobs.size() >= uploads
                        && jobs.stream()
                                .allMatch(j -> List.of("SUCCEEDED", "FAILED", "CANCELLED")
                                        .contains(j.status()));
                boolean quiet = recorder.lastRecordAt().plus(plan.quiet()).isBefore(Instant.now());
                if (allTerminal && quiet) {
                    return;
                }
            } catch (RuntimeException e) {
                // status-service restarting or its database away: ask again
            }
            Workload.pause(Duration.ofSeconds(1));
        }
    }

    private static <T> T retry(Supplier<T> call) {
        RuntimeException last = null;
        for (int i = 0; i < 30; i++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                last = e;
                Workload.pause(Duration.ofSeconds(2));
            }
        }
        throw last;
    }
}
