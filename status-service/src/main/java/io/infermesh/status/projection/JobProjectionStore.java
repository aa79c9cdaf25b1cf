package io.infermesh.status.projection;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Timings;
import io.infermesh.status.projection.LifecycleProjection.JobState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes lifecycle events into PostgreSQL: one statement per event records it in {@code job_events} and, only if
 * its id is new there, upserts {@code jobs} under the rule of {@link LifecycleProjection#supersedes}.
 *
 * <p>Columns fall in two kinds. Facts of the job (model, owner, input, when it was pending) are the same in every
 * event that carries them, so any event may fill them while they are null and none overwrites them. Facts of an
 * attempt (backend, placement, failure, output, predictions, cold start, timings, cost, when each later status
 * was reached) follow the attempt: an event of a newer attempt replaces them all, a newer status of the same
 * attempt overwrites the ones it carries, and an earlier status of the same attempt only fills the ones still
 * null. A conflicting status of the same rank (FAILED after SUCCEEDED) and any event of an older attempt leave
 * them alone, so a succeeded job never shows a failure reason. An event that does not move a job (see
 * {@link LifecycleProjection#supersedes}: a SUCCEEDED or CANCELLED job is final, a CANCELLED after RUNNING is too late)
 * changes no fact of an attempt but may fill an earlier status's.
 */
@Repository
class JobProjectionStore {

    /** The storage format of JSON columns: plain Jackson, independent of how the web layer is configured. */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** {@link LifecycleProjection#supersedes} in SQL: the event moves the job. */
    private static final String NEWER = "((excluded.attempt, excluded.status_rank) > (j.attempt, j.status_rank)"
            + " AND j.status NOT IN ('SUCCEEDED', 'CANCELLED')"
            + " AND NOT (excluded.status = 'CANCELLED' AND excluded.attempt = j.attempt AND j.status_rank >= "
            + JobStatus.RUNNING.rank() + "))";

    private static final List<Column> JOB_FACTS = List.of(
            new Column("model", "text", JobStatusChanged::model),
            new Column("owner", "text", JobStatusChanged::owner),
            new Column("input_bucket", "text", e -> input(e, ObjectRef::bucket)),
            new Column("input_key", "text", e -> input(e, ObjectRef::key)),
            new Column("input_version_id", "text", e -> input(e, ObjectRef::versionId)),
            new Column("input_etag", "text", e -> input(e, ObjectRef::eTag)),
            new Column("input_size", "bigint", e -> input(e, ObjectRef::size)),
            new Column("input_content_type", "text", e -> input(e, ObjectRef::contentType)),
            new Column("pending_at", "timestamptz", e -> at(e, JobStatus.PENDING)));

    private static final List<Column> ATTEMPT_FACTS = List.of(
            new Column(
                    "backend",
                    "text",
                    e -> e.backend() == null ? null : e.backend().name()),
            new Column("placement_reason", "text", JobStatusChanged::placementReason),
            new Column(
                    "reason",
                    "text",
                    e -> e.reason() == null ? null : e.reason().name()),
            new Column("message", "text", JobStatusChanged::message),
            new Column(
                    "output_bucket",
                    "text",
                    e -> e.output() == null ? null : e.output().bucket()),
            new Column(
                    "output_key",
                    "text",
                    e -> e.output() == null ? null : e.output().key()),
            new Column("cold_start", "boolean", JobStatusChanged::coldStart),
            new Column("queue_wait_ms", "bigint", e -> timing(e, Timings::queueWaitMs)),
            new Column("download_ms", "bigint", e -> timing(e, Timings::downloadMs)),
            new Column("model_load_ms", "bigint", e -> timing(e, Timings::modelLoadMs)),
            new Column("inference_ms", "bigint", e -> timing(e, Timings::inferenceMs)),
            new Column("upload_ms", "bigint", e -> timing(e, Timings::uploadMs)),
            new Column("total_ms", "bigint", e -> timing(e, Timings::totalMs)),
            new Column("estimated_cost_usd", "double precision", JobStatusChanged::estimatedCostUsd),
            new Column(
                    "predictions",
                    "jsonb",
                    e -> e.predictions() == null ? null : JSON.writeValueAsString(e.predictions())),
            new Column("runnable_at", "timestamptz", e -> at(e, JobStatus.RUNNABLE)),
            new Column("starting_at", "timestamptz", e -> at(e, JobStatus.STARTING)),
            new Column("running_at", "timestamptz", e -> at(e, JobStatus.RUNNING)),
            new Column("finished_at", "timestamptz", e -> e.status().isTerminal() ? utc(e.occurredAt()) : null));

    private static final List<Column> STATE = List.of(
            new Column("job_id", "text", JobStatusChanged::jobId),
            new Column("status", "text", e -> e.status().name()),
            new Column("attempt", "integer", JobStatusChanged::attempt),
            new Column("status_rank", "smallint", e -> e.status().rank()),
            new Column("created_at", "timestamptz", e -> utc(e.occurredAt())));

    private static final List<Column> ALL =
            Stream.of(STATE, JOB_FACTS, ATTEMPT_FACTS).flatMap(List::stream).toList();

    static final String PROJECT_SQL = """
            WITH recorded AS (
                INSERT INTO job_events (event_id, job_id, attempt, status, occurred_at, payload)
                SELECT :event_id, :job_id, :attempt, :status, CAST(:created_at AS timestamptz),
                       CAST(:payload AS jsonb)
                WHERE NOT EXISTS (SELECT 1 FROM purged_jobs WHERE job_id = :job_id)
                ON CONFLICT (event_id) DO NOTHING
                RETURNING event_id
            ), projected AS (
                INSERT INTO jobs AS j (%s, updated_at)
                SELECT %s, now() FROM recorded
                ON CONFLICT (job_id) DO UPDATE SET
                    status = CASE WHEN %s THEN excluded.status ELSE j.status END,
                    status_rank = CASE WHEN %s THEN excluded.status_rank ELSE j.status_rank END,
                    attempt = CASE WHEN %s THEN excluded.attempt ELSE j.attempt END,
                    created_at = LEAST(j.created_at, excluded.created_at),
                    updated_at = now(),
                    %s,
                    %s
                WHERE %s
                   OR excluded.created_at < j.created_at
                   OR %s
                   OR (excluded.attempt = j.attempt AND excluded.status_rank < j.status_rank AND (%s))
                RETURNING j.attempt, j.status
            )
            SELECT EXISTS (SELECT 1 FROM recorded) AS recorded,
                   (SELECT attempt FROM projected) AS attempt,
                   (SELECT status FROM projected) AS status
            """.formatted(
            ALL.stream().map(Column::name).collect(Collectors.joining(", ")),
            ALL.stream().map(c -> "CAST(:" + c.name() + " AS " + c.type() + ")").collect(Collectors.joining(", ")),
            NEWER,
            NEWER,
            NEWER,
            JOB_FACTS.stream()
                    .map(c -> "%1$s = COALESCE(j.%1$s, excluded.%1$s)".formatted(c.name()))
                    .collect(Collectors.joining(",\n        ")),
            ATTEMPT_FACTS.stream()
                    .map(c -> """
                    %1$s = CASE WHEN excluded.attempt > j.attempt AND j.status NOT IN ('SUCCEEDED', 'CANCELLED')
                                     THEN excluded.%1$s
                                WHEN excluded.attempt <> j.attempt THEN j.%1$s
                                WHEN excluded.status_rank > j.status_rank
                                     AND NOT (excluded.status = 'CANCELLED' AND j.status_rank >= %2$d)
                                     THEN COALESCE(excluded.%1$s, j.%1$s)
                                WHEN excluded.status_rank < j.status_rank THEN COALESCE(j.%1$s, excluded.%1$s)
                                ELSE j.%1$s END""".formatted(c.name(), JobStatus.RUNNING.rank()))
                    .collect(Collectors.joining(",\n        ")),
            NEWER,
            fillable(JOB_FACTS),
            fillable(ATTEMPT_FACTS));

    private final JdbcClient jdbc;

    JobProjectionStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Projects accepted events in one transaction, in order, and says what each did. */
    @Transactional
    List<Outcome> projectAll(List<JobStatusChanged> events) {
        List<Outcome> outcomes = new ArrayList<>(events.size());
        for (JobStatusChanged event : events) {
            outcomes.add(project(event));
        }
        return outcomes;
    }

    /** Projects one (accepted) event and says what that did. */
    @Transactional
    Outcome project(JobStatusChanged event) {
        Map<String, Object> params = new HashMap<>();
        ALL.forEach(c -> params.put(c.name(), c.value().apply(event)));
        params.put("event_id", event.eventId());
        params.put("payload", JSON.writeValueAsString(event));
        return jdbc.sql(PROJECT_SQL)
                .params(params)
                .query((rs, n) -> {
                    String status = rs.getString("status");
                    JobState after =
                            status == null ? null : new JobState(rs.getInt("attempt"), JobStatus.valueOf(status));
                    return LifecycleProjection.outcome(event, rs.getBoolean("recorded"), after);
                })
                .single();
    }

    private static String fillable(List<Column> columns) {
        return columns.stream()
                .map(c -> "(j.%1$s IS NULL AND excluded.%1$s IS NOT NULL)".formatted(c.name()))
                .collect(Collectors.joining(" OR "));
    }

    private static Object input(JobStatusChanged event, Function<ObjectRef, Object> part) {
        return event.input() == null ? null : part.apply(event.input());
    }

    private static Object timing(JobStatusChanged event, Function<Timings, Long> part) {
        return event.timings() == null ? null : part.apply(event.timings());
    }

    private static OffsetDateTime at(JobStatusChanged event, JobStatus status) {
        return event.status() == status ? utc(event.occurredAt()) : null;
    }

    private static OffsetDateTime utc(Instant instant) {
        // PgJDBC binds OffsetDateTime as timestamptz; it has no binding for Instant.
        return instant.atOffset(ZoneOffset.UTC);
    }

    private record Column(String name, String type, Function<JobStatusChanged, Object> value) {}
}
