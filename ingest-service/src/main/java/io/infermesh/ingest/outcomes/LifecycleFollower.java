package io.infermesh.ingest.outcomes;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * ingest-service's view of {@code infermesh.jobs.lifecycle}, so that it publishes a cloud backend's result only when
 * that success is the job's outcome (ADR 0016): it reads every lifecycle event into {@link JobStandings}, and
 * {@link #publishAndFollow} publishes one event and waits until this reader has read that very event back, so that
 * the answer is decided by the job's partition order, exactly as status-service's projection decides it, whatever
 * else was published before it and however late this report came. A job this reader has not seen (forgotten, or
 * finished before the lookback of a fresh start) stands where the event puts it.
 */
public final class LifecycleFollower {

    /** The fields of a lifecycle event this reader needs. */
    private record Seen(String eventId, String jobId, int attempt, JobStatus status) {}

    private final JobStandings standings;
    private final ObjectReader reader;
    private final Duration wait;
    private final Counter unreadable;
    private final Map<String, CompletableFuture<Standing>> awaited = new ConcurrentHashMap<>();

    /**
     * @param recentJobs how many jobs it remembers (the most recently first seen)
     * @param wait how long {@link #publishAndFollow} waits for its event to come back
     * @param unreadable counts lifecycle records that are not job status changes (skipped here: status-service
     *     dead-letters them)
     */
    public LifecycleFollower(JsonMapper json, int recentJobs, Duration wait, Counter unreadable) {
        this.standings = new JobStandings(recentJobs);
        this.reader = json.readerFor(Seen.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.wait = wait;
        this.unreadable = unreadable;
    }

    /** Reads one lifecycle record, in its partition's order. */
    public void read(byte[] value) {
        Seen seen;
        try {
            seen = value == null ? null : reader.readValue(value);
        } catch (JacksonException e) {
            seen = null;
        }
        if (seen == null || seen.jobId() == null || seen.status() == null || seen.attempt() < 1) {
            unreadable.increment();
            return;
        }
        Standing after = standings.observe(seen.jobId(), seen.attempt(), seen.status());
        String eventId = seen.eventId() != null
                ? seen.eventId()
                : JobStatusChanged.eventId(seen.jobId(), seen.attempt(), seen.status());
        CompletableFuture<Standing> waiting = awaited.remove(eventId);
        if (waiting != null) {
            waiting.complete(after);
        }
    }

    /**
     * Publishes {@code event} with {@code publish} and returns where its job stands right after it in the
     * lifecycle's order: the answer status-service's projection gives once it has applied the same events.
     *
     * @throws OutcomeUnknownException when the event did not come back within the configured wait (this reader is
     *     behind, or not reading): the caller must not acknowledge its message, which then comes again
     */
    public Standing publishAndFollow(JobStatusChanged event, Runnable publish) {
        // awaited before it is published, so that this reader cannot read it back unnoticed
        CompletableFuture<Standing> back = awaited.computeIfAbsent(event.eventId(), id -> new CompletableFuture<>());
        try {
            publish.run();
            return back.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new OutcomeUnknownException("event " + event.eventId() + " did not come back from the lifecycle"
                    + " within " + wait + ": whether the job's outcome is this success is not known yet");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutcomeUnknownException("interrupted while following event " + event.eventId());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            awaited.remove(event.eventId(), back);
        }
    }

    /** The lifecycle did not tell in time where a job stands; the report is to be handled again later. */
    public static final class OutcomeUnknownException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        OutcomeUnknownException(String message) {
            super(message);
        }
    }
}
