package io.infermesh.status.jobs;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Reads jobs and their history from the tables the projection writes. */
@Repository
class JobQueries {

    private static final Timings NO_TIMINGS = new Timings(null, null, null, null, null, null);

    /** Reads the JSON columns the projection writes with plain Jackson. */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final TypeReference<List<Prediction>> PREDICTIONS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;

    JobQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<JobView> find(String jobId) {
        return jdbc.sql("SELECT * FROM jobs WHERE job_id = :jobId").param("jobId", jobId)
                .query((rs, n) -> view(rs)).optional();
    }

    /** Jobs matching every given filter (null means any), newest first. */
    List<JobView> list(String model, String owner, JobStatus status, int limit) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (model != null) {
            where.add("model = :model");
            params.put("model", model);
        }
        if (owner != null) {
            where.add("owner = :owner");
            params.put("owner", owner);
        }
        if (status != null) {
            where.add("status = :status");
            params.put("status", status.name());
        }
        params.put("limit", limit);
        String sql = "SELECT * FROM jobs" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at DESC, job_id DESC LIMIT :limit";
        return jdbc.sql(sql).params(params).query((rs, n) -> view(rs)).list();
    }

    /** Every distinct event recorded for the job, in lifecycle order. */
    List<JobStatusChanged> history(String jobId) {
        return jdbc.sql("""
                SELECT payload::text FROM job_events WHERE job_id = :jobId
                ORDER BY attempt, CASE status WHEN 'PENDING' THEN 0 WHEN 'RUNNABLE' THEN 1 WHEN 'STARTING' THEN 2
                                              WHEN 'RUNNING' THEN 3 ELSE 4 END, occurred_at, event_id
                """).param("jobId", jobId)
                .query((rs, n) -> JSON.readValue(rs.getString(1), JobStatusChanged.class)).list();
    }

    private static JobView view(ResultSet rs) throws SQLException {
        JobStatus status = JobStatus.valueOf(rs.getString("status"));
        ObjectRef input = rs.getString("input_bucket") == null ? null
                : new ObjectRef(rs.getString("input_bucket"), rs.getString("input_key"),
                        rs.getString("input_version_id"), rs.getString("input_etag"),
                        rs.getObject("input_size", Long.class), rs.getString("input_content_type"));
        ObjectRef output = rs.getString("output_bucket") == null ? null
                : ObjectRef.of(rs.getString("output_bucket"), rs.getString("output_key"));
        Timings timings = new Timings(rs.getObject("queue_wait_ms", Long.class),
                rs.getObject("download_ms", Long.class), rs.getObject("model_load_ms", Long.class),
                rs.getObject("inference_ms", Long.class), rs.getObject("upload_ms", Long.class),
                rs.getObject("total_ms", Long.class));
        Map<String, Instant> timestamps = new LinkedHashMap<>();
        putIfSet(timestamps, JobStatus.PENDING.name(), rs, "pending_at");
        putIfSet(timestamps, JobStatus.RUNNABLE.name(), rs, "runnable_at");
        putIfSet(timestamps, JobStatus.STARTING.name(), rs, "starting_at");
        putIfSet(timestamps, JobStatus.RUNNING.name(), rs, "running_at");
        if (status.isTerminal()) {
            putIfSet(timestamps, status.name(), rs, "finished_at");
        }
        String backend = rs.getString("backend");
        String reason = rs.getString("reason");
        return new JobView(rs.getString("job_id"), rs.getString("model"), rs.getString("owner"), status,
                rs.getInt("attempt"), backend == null ? null : Backend.valueOf(backend),
                rs.getString("placement_reason"), reason == null ? null : FailureReason.valueOf(reason),
                rs.getString("message"), input, output, output == null ? null : output.uri(),
                rs.getObject("cold_start", Boolean.class), NO_TIMINGS.equals(timings) ? null : timings,
                rs.getObject("estimated_cost_usd", Double.class), predictions(rs.getString("predictions")),
                instant(rs, "created_at"),
                instant(rs, "updated_at"), timestamps);
    }

    private static List<Prediction> predictions(String json) {
        return json == null ? null : JSON.readValue(json, PREDICTIONS);
    }

    private static void putIfSet(Map<String, Instant> timestamps, String key, ResultSet rs, String column)
            throws SQLException {
        Instant at = instant(rs, column);
        if (at != null) {
            timestamps.put(key, at);
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
