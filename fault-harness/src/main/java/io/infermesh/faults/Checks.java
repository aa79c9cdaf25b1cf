package io.infermesh.faults;

import io.infermesh.contracts.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The verdict on one scenario, from what was seen outside the mesh: the uploads, the status API's jobs, the lifecycle
 * and result topics and the results bucket. Every problem is named in a sentence; the counts make the table's row.
 *
 * <ul>
 *   <li><b>lost</b>: an uploaded object with no job; a SUCCEEDED job whose {@code result.json} is missing or
 *       unreadable, or that has no result record on the results topic.
 *   <li><b>duplicated</b>: a second job for one object; a second {@code result.json} or result record for one job
 *       (counted by job id; a second distinct CloudEvents {@code ce_id} is named apart).
 *   <li><b>stuck</b>: a job not terminal when the checks ran (after quiet, or at the bound).
 *   <li><b>illegal</b>: a job whose lifecycle, ordered by (attempt, rank) as consumers order it (contracts'
 *       {@link JobStatus}), is not a legal path from PENDING, or has two terminal statuses in one attempt.
 * </ul>
 */
final class Checks {

    private Checks() {}

    /** One S3 upload the workload made. */
    record Upload(String key, Instant at) {}

    /** A job as the status API lists it. */
    record ApiJob(String jobId, String key, String status, int attempt) {}

    /** A record on the lifecycle topic, in topic order. */
    record Event(String jobId, String eventId, JobStatus status, int attempt, Instant occurredAt) {}

    /** A record on the results topic. */
    record ResultRecord(String jobId, String ceId) {}

    /** A {@code result.json} found under the results prefix. */
    record ResultFile(String jobId, boolean readable) {}

    /** Everything observed for one scenario. */
    record Observed(
            List<Upload> uploads,
            List<ApiJob> jobs,
            List<Event> events,
            List<ResultRecord> results,
            List<ResultFile> files) {}

    /**
     * A row of the table.
     *
     * @param duplicated second jobs of an object, second {@code result.json}s and second result records of a job
     * @param sameCeId of the second result records, those that repeat a {@code ce_id} already seen (a redelivery a
     *     consumer that deduplicates by CloudEvents id drops)
     * @param recovery from the fault to the end of the last job it could have delayed (null when a job is stuck)
     */
    record Verdict(
            String fault,
            int jobs,
            int succeeded,
            int failed,
            int lost,
            int duplicated,
            int sameCeId,
            int stuck,
            int illegal,
            Duration recovery,
            List<String> problems) {

        boolean clean() {
            return lost == 0 && duplicated == 0 && stuck == 0 && illegal == 0;
        }
    }

    static Verdict check(String fault, Observed seen, Instant faultAt) {
        List<String> problems = new ArrayList<>();
        Map<String, List<ApiJob>> jobsByKey = new LinkedHashMap<>();
        for (ApiJob job : seen.jobs()) {
            jobsByKey.computeIfAbsent(job.key(), k -> new ArrayList<>()).add(job);
        }
        Map<String, List<ResultRecord>> recordsByJob = new HashMap<>();
        for (ResultRecord r : seen.results()) {
            recordsByJob.computeIfAbsent(r.jobId(), k -> new ArrayList<>()).add(r);
        }
        Map<String, List<ResultFile>> filesByJob = new HashMap<>();
        for (ResultFile f : seen.files()) {
            filesByJob.computeIfAbsent(f.jobId(), k -> new ArrayList<>()).add(f);
        }
        Map<String, List<Event>> eventsByJob = new LinkedHashMap<>();
        for (Event e : seen.events()) {
            eventsByJob.computeIfAbsent(e.jobId(), k -> new ArrayList<>()).add(e);
        }

        int lost = 0;
        int duplicated = 0;
        int sameCeId = 0;
        int stuck = 0;
        int succeeded = 0;
        int failed = 0;
        Set<String> uploadedKeys = new HashSet<>();
        for (Upload upload : seen.uploads()) {
            uploadedKeys.add(upload.key());
            List<ApiJob> jobs = jobsByKey.getOrDefault(upload.key(), List.of());
            if (jobs.isEmpty()) {
                lost++;
                problems.add("lost: no job for the uploaded object " + upload.key());
            } else if (jobs.size() > 1) {
                duplicated += jobs.size() - 1;
                problems.add("duplicated: " + jobs.size() + " jobs for the object " + upload.key() + ": "
                        + jobs.stream().map(ApiJob::jobId).toList());
            }
        }
        for (ApiJob job : seen.jobs()) {
            if (!uploadedKeys.contains(job.key())) {
                problems.add("note: a job for an object the workload did not upload: " + job.key());
            }
            List<ResultRecord> records = recordsByJob.getOrDefault(job.jobId(), List.of());
            List<ResultFile> files = filesByJob.getOrDefault(job.jobId(), List.of());
            if (records.size() > 1) {
                duplicated += records.size() - 1;
                long ceIds = records.stream().map(ResultRecord::ceId).distinct().count();
                sameCeId += records.size() - (int) ceIds;
                problems.add("duplicated: " + records.size() + " result records for job " + job.jobId() + " (" + ceIds
                        + " distinct ce_id)");
            }
            if (files.size() > 1) {
                duplicated += files.size() - 1;
                problems.add("duplicated: " + files.size() + " result.json for job " + job.jobId());
            }
            switch (job.status()) {
                case "SUCCEEDED" -> {
                    succeeded++;
                    if (files.stream().noneMatch(ResultFile::readable)) {
                        lost++;
                        problems.add("lost: job " + job.jobId() + " SUCCEEDED but its result.json is "
                                + (files.isEmpty() ? "missing" : "unreadable"));
                    } else if (records.isEmpty()) {
                        lost++;
                        problems.add("lost: job " + job.jobId() + " SUCCEEDED but no result record is on the"
                                + " results topic");
                    }
                }
                case "FAILED", "CANCELLED" -> failed++;
                default -> {
                    stuck++;
                    problems.add("stuck: job " + job.jobId() + " (" + job.key() + ") is " + job.status()
                            + " at attempt " + job.attempt());
                }
            }
        }

        int illegal = 0;
        for (var entry : eventsByJob.entrySet()) {
            String why = illegalPath(entry.getValue());
            if (why != null) {
                illegal++;
                problems.add("illegal lifecycle of job " + entry.getKey() + ": " + why);
            }
        }
        Map<String, Instant> uploadedAt = new HashMap<>();
        for (Upload upload : seen.uploads()) {
            for (ApiJob job : jobsByKey.getOrDefault(upload.key(), List.of())) {
                uploadedAt.put(job.jobId(), upload.at());
            }
        }
        Duration recovery = stuck > 0 ? null : recovery(eventsByJob, uploadedAt, faultAt);
        return new Verdict(
                fault,
                seen.uploads().size(),
                succeeded,
                failed,
                lost,
                duplicated,
                sameCeId,
                stuck,
                illegal,
                recovery,
                List.copyOf(problems));
    }

    /**
     * Null when the job's distinct events, ordered by (attempt, rank), form a legal path from PENDING; else why not.
     * Redelivered events (the same event id) count once.
     */
    static String illegalPath(List<Event> events) {
        Map<String, Event> distinct = new LinkedHashMap<>();
        for (Event e : events) {
            distinct.putIfAbsent(e.eventId(), e);
        }
        // (attempt, rank) then the topic order: two terminal events of one attempt stay in the order they came
        List<Event> ordered = new ArrayList<>(distinct.values());
        ordered.sort(Comparator.comparingInt(Event::attempt)
                .thenComparingInt(e -> e.status().rank()));
        Event first = ordered.getFirst();
        if (first.status() != JobStatus.PENDING || first.attempt() != 1) {
            return "it begins with " + first.status() + " (attempt " + first.attempt() + "), not PENDING (attempt 1)";
        }
        for (int i = 1; i < ordered.size(); i++) {
            Event from = ordered.get(i - 1);
            Event to = ordered.get(i);
            if (!from.status().canMoveTo(from.attempt(), to.status(), to.attempt())) {
                return from.status() + "(" + from.attempt() + ") -> " + to.status() + "(" + to.attempt() + ") in "
                        + ordered.stream()
                                .map(e -> e.status() + "(" + e.attempt() + ")")
                                .toList();
            }
        }
        return null;
    }

    /**
     * The longest a job was held up by the fault: for every job that was open when the fault began or was uploaded
     * after it, from the later of its upload (its PENDING when the upload is not known) and the fault to its last
     * terminal event; the maximum. The upload, not PENDING, so that time spent before a job existed (ingest down,
     * notifications waiting on the topic) counts.
     */
    static Duration recovery(Map<String, List<Event>> eventsByJob, Map<String, Instant> uploadedAt, Instant faultAt) {
        Duration longest = Duration.ZERO;
        for (List<Event> events : eventsByJob.values()) {
            TreeMap<Instant, Event> terminal = new TreeMap<>();
            Instant pending = null;
            for (Event e : events) {
                if (e.status() == JobStatus.PENDING
                        && (pending == null || e.occurredAt().isBefore(pending))) {
                    pending = e.occurredAt();
                }
                if (e.status().isTerminal()) {
                    terminal.put(e.occurredAt(), e);
                }
            }
            if (pending == null || terminal.isEmpty()) {
                continue;
            }
            Instant uploaded = uploadedAt.get(events.getFirst().jobId());
            if (uploaded != null) {
                pending = uploaded;
            }
            Instant end = terminal.lastKey();
            if (end.isBefore(faultAt)) {
                continue;
            }
            Instant from = pending.isAfter(faultAt) ? pending : faultAt;
            Duration held = Duration.between(from, end);
            if (held.compareTo(longest) > 0) {
                longest = held;
            }
        }
        return longest;
    }
}
