package io.infermesh.status.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

    private static final TypeReference<List<Prediction>> PREDICTIONS = new TypeReference<>() {};

    private final JdbcClient jdbc;

    JobQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<JobView> find(String jobId) {
        return jdbc.sql("SELECT * FROM jobs WHERE job_id = :jobId")
                .param("jobId", jobId)
                .query((rs, n) -> view(rs))
                .optional();
    }

    /**
     * What a list or a statistic is about; null fields match anything.
     *
     * @param from created at or after
     * @param to created before
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Filter(
            String model,
            String owner,
            JobStatus status,
            Backend backend,
            String bucket,
            String key,
            String versionId,
            Instant from,
            Instant to) {

        void apply(List<String> where, Map<String, Object> params) {
            add(where, params, "model", model);
            add(where, params, "owner", owner);
            add(where, params, "status", status == null ? null : status.name());
            add(where, params, "backend", backend == null ? null : backend.name());
            add(where, params, "input_bucket", bucket);
            add(where, params, "input_key", key);
            add(where, params, "input_version_id", versionId);
            if (from != null) {
                where.add("created_at >= :from");
                params.put("from", Timestamp.from(from));
            }
            if (to != null) {
                where.add("created_at < :to");
                params.put("to", Timestamp.from(to));
            }
        }

        private static void add(List<String> where, Map<String, Object> params, String column, Object value) {
            if (value != null) {
                where.add(column + " = :" + column);
                params.put(column, value);
            }
        }
    }

    /** How a list is ordered: by creation or last update, newest or oldest first; ties by job id. */
    enum Sort {
        CREATED_DESC("createdAt", "-createdAt", "created_at", true),
        CREATED_ASC("createdAt", "createdAt", "created_at", false),
        UPDATED_DESC("updatedAt", "-updatedAt", "updated_at", true),
        UPDATED_ASC("updatedAt", "updatedAt", "updated_at", false);

        final String field;
        final String spelling;
        final String column;
        final boolean descending;

        Sort(String field, String spelling, String column, boolean descending) {
            this.field = field;
            this.spelling = spelling;
            this.column = column;
            this.descending = descending;
        }

        static Optional<Sort> parse(String value) {
            for (Sort s : values()) {
                if (s.spelling.equals(value)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /** Where the previous page ended: the sort key and job id of its last job. */
    record Cursor(Sort sort, Instant at, String jobId) {

        String encode() {
            String raw =
                    sort.spelling + "|" + at.getEpochSecond() + "." + String.format("%09d", at.getNano()) + "|" + jobId;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Optional<Cursor> decode(String text) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                String[] parts = raw.split("\\|", 3);
                Optional<Sort> sort = Sort.parse(parts[0]);
                String[] time = parts[1].split("\\.");
                return sort.map(s -> new Cursor(
                        s, Instant.ofEpochSecond(Long.parseLong(time[0]), Long.parseLong(time[1])), parts[2]));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    /** One page of jobs and the cursor of the next, null on the last page. */
    record Page(List<JobView> jobs, String nextCursor) {}

    /** Jobs matching the filter, in {@code sort} order, after {@code cursor}. */
    Page list(Filter filter, Sort sort, Cursor cursor, int limit) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        filter.apply(where, params);
        if (cursor != null) {
            where.add("(" + sort.column + ", job_id) " + (sort.descending ? "<" : ">") + " (:cursorAt, :cursorId)");
            params.put("cursorAt", Timestamp.from(cursor.at()));
            params.put("cursorId", cursor.jobId());
        }
        params.put("limit", limit + 1);
        String direction = sort.descending ? " DESC" : " ASC";
        String sql = "SELECT * FROM jobs" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY " + sort.column + direction + ", job_id" + direction + " LIMIT :limit";
        List<JobView> jobs =
                jdbc.sql(sql).params(params).query((rs, n) -> view(rs)).list();
        if (jobs.size() <= limit) {
            return new Page(jobs, null);
        }
        List<JobView> page = jobs.subList(0, limit);
        JobView last = page.getLast();
        Instant at = sort.column.equals("created_at") ? last.createdAt() : last.updatedAt();
        return new Page(List.copyOf(page), new Cursor(sort, at, last.jobId()).encode());
    }

    /** Counts, percentiles and cost totals of the jobs matching the filter. */
    Map<String, Object> stats(Filter filter) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        filter.apply(where, params);
        String condition = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put(
                "jobs",
                jdbc.sql("SELECT count(*) FROM jobs" + condition)
                        .params(params)
                        .query(Long.class)
                        .single());
        for (String[] group : new String[][] {{"byStatus", "status"}, {"byModel", "model"}, {"byBackend", "backend"}}) {
            Map<String, Long> counts = new LinkedHashMap<>();
            boolean backend = group[1].equals("backend");
            jdbc.sql("SELECT coalesce(" + group[1] + ", 'none') AS k, count(*) AS n FROM jobs" + condition
                            + " GROUP BY 1 ORDER BY 2 DESC, 1")
                    .params(params)
                    .query((rs, n) -> counts.put(
                            backend ? rs.getString("k").toLowerCase(Locale.ROOT) : rs.getString("k"), rs.getLong("n")))
                    .list();
            stats.put(group[0], counts);
        }
        stats.put("queueWaitMs", percentiles("queue_wait_ms", condition, params));
        stats.put(
                "runMs",
                percentiles("coalesce(download_ms, 0) + inference_ms + coalesce(upload_ms, 0)", condition, params));
        stats.put(
                "estimatedCostUsd",
                jdbc.sql("SELECT coalesce(sum(estimated_cost_usd), 0) FROM jobs" + condition)
                        .params(params)
                        .query(Double.class)
                        .single());
        return stats;
    }

    private Map<String, Object> percentiles(String expression, String condition, Map<String, Object> params) {
        String where = (condition.isEmpty() ? " WHERE " : condition + " AND ") + "(" + expression + ") IS NOT NULL";
        return jdbc.sql("SELECT count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY " + expression + ") AS p50,"
                        + " percentile_cont(0.9) WITHIN GROUP (ORDER BY " + expression + ") AS p90,"
                        + " percentile_cont(0.99) WITHIN GROUP (ORDER BY " + expression + ") AS p99,"
                        + " max(" + expression + ") AS max FROM jobs" + where)
                .params(params)
                .query((rs, n) -> {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("count", rs.getLong("n"));
                    p.put("p50", rs.getObject("p50", Double.class));
                    p.put("p90", rs.getObject("p90", Double.class));
                    p.put("p99", rs.getObject("p99", Double.class));
                    p.put("max", rs.getObject("max", Long.class));
                    return p;
                })
                .single();
    }

    /** Every distinct event recorded for the job, in lifecycle order. */
    List<JobStatusChanged> history(String jobId) {
        return jdbc.sql("""
                SELECT payload::text FROM job_events WHERE job_id = :jobId
                ORDER BY attempt, CASE status WHEN 'PENDING' THEN 0 WHEN 'RUNNABLE' THEN 1 WHEN 'STARTING' THEN 2
                                              WHEN 'RUNNING' THEN 3 ELSE 4 END, occurred_at, event_id
                """)
                .param("jobId", jobId)
                .query((rs, n) -> JSON.readValue(rs.getString(1), JobStatusChanged.class))
                .list();
    }

    private static JobView view(ResultSet rs) throws SQLException {
        JobStatus status = JobStatus.valueOf(rs.getString("status"));
        ObjectRef input = rs.getString("input_bucket") == null
                ? null
                : new ObjectRef(
                        rs.getString("input_bucket"),
                        rs.getString("input_key"),
                        rs.getString("input_version_id"),
                        rs.getString("input_etag"),
                        rs.getObject("input_size", Long.class),
                        rs.getString("input_content_type"));
        ObjectRef output = rs.getString("output_bucket") == null
                ? null
                : ObjectRef.of(rs.getString("output_bucket"), rs.getString("output_key"));
        Timings timings = new Timings(
                rs.getObject("queue_wait_ms", Long.class),
                rs.getObject("download_ms", Long.class),
                rs.getObject("model_load_ms", Long.class),
                rs.getObject("inference_ms", Long.class),
                rs.getObject("upload_ms", Long.class),
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
        return new JobView(
                rs.getString("job_id"),
                rs.getString("model"),
                rs.getString("owner"),
                status,
                rs.getInt("attempt"),
                backend == null ? null : Backend.valueOf(backend),
                rs.getString("placement_reason"),
                reason == null ? null : FailureReason.valueOf(reason),
                rs.getString("message"),
                input,
                output,
                output == null ? null : output.uri(),
                rs.getObject("cold_start", Boolean.class),
                NO_TIMINGS.equals(timings) ? null : timings,
                rs.getObject("estimated_cost_usd", Double.class),
                predictions(rs.getString("predictions")),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                timestamps);
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
