package io.infermesh.load;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;

/**
 * status-service under a big store: tops the job store up to {@code --jobs} (one million) succeeded jobs with their
 * events, straight into PostgreSQL; then measures (1) the projection rate: {@code --events} lifecycle events
 * (PENDING → SUCCEEDED for {@code events / 5} new jobs) published at once on {@code infermesh.jobs.lifecycle}, timed
 * until every one is recorded; (2) {@code GET /api/jobs/{id}} latency for {@code --gets} random stored jobs, one at
 * a time over a kept-alive connection, after a warm-up, each with the operator's bearer token (an operator sees every
 * owner's jobs; the token is fetched again before it expires, see {@link OperatorToken}). Needs the running mesh (its
 * Kafka, PostgreSQL, status-service and issuer).
 */
final class StatusBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StatusBench() {
    }

    static void run(Options options) throws Exception {
        int stored = options.getInt("jobs", 1_000_000);
        int events = options.getInt("events", 50_000);
        int gets = options.getInt("gets", 20_000);
        String jdbc = (options.get("jdbc") == null ? "jdbc:postgresql://127.0.0.1:15432/infermesh" : options.get("jdbc"));
        String statusUrl = (options.get("status") == null ? "http://127.0.0.1:8080" : options.get("status"));
        // before anything is written: a missing secret or a wrong issuer fails here, not after the seeding
        OperatorToken operator = OperatorToken.from(options);
        operator.authorization();
        StringBuilder md = new StringBuilder("# status-bench\n\n");
        try (Connection db = DriverManager.getConnection(jdbc, (options.get("db-user") == null ? "postgres" : options.get("db-user")),
                (options.get("db-password") == null ? "postgres" : options.get("db-password")))) {
            long seeded = seed(db, stored);
            long total = count(db, "SELECT count(*) FROM jobs");
            md.append(String.format(Locale.ROOT, "Store: %,d jobs (%,d seeded by this run), %,d events.%n%n", total,
                    seeded, count(db, "SELECT count(*) FROM job_events")));

            // 1. projection rate
            String run = "bench-run-" + UUID.randomUUID().toString().substring(0, 8);
            List<JobStatus> statuses = List.of(JobStatus.PENDING, JobStatus.RUNNABLE, JobStatus.STARTING,
                    JobStatus.RUNNING, JobStatus.SUCCEEDED);
            int jobs = Math.max(1, events / statuses.size());
            Properties producerConfig = new Properties();
            producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.get("kafka"));
            producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            long start = System.nanoTime();
            try (var producer = new KafkaProducer<String, byte[]>(producerConfig, new StringSerializer(),
                    new ByteArraySerializer())) {
                Instant now = Instant.now();
                for (int j = 0; j < jobs; j++) {
                    String jobId = run + "-" + j;
                    for (JobStatus status : statuses) {
                        JobStatusChanged event = event(jobId, status, now);
                        var record = new ProducerRecord<String, byte[]>("infermesh.jobs.lifecycle", jobId,
                                JSON.writeValueAsBytes(event));
                        CloudEventTypes.headers(event.eventId(), CloudEventTypes.JOB_STATUS_CHANGED, "load-tests",
                                jobId, now).forEach((k, v) -> record.headers().add(new RecordHeader(k,
                                        v.getBytes(StandardCharsets.UTF_8))));
                        producer.send(record);
                    }
                }
                producer.flush();
            }
            double published = (System.nanoTime() - start) / 1e9;
            int expected = jobs * statuses.size();
            long recorded = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT count(*) FROM job_events WHERE job_id LIKE ? || '-%'")) {
                ps.setString(1, run);
                while (recorded < expected && System.nanoTime() < deadline) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        recorded = rs.getLong(1);
                    }
                    System.out.printf("\rprojected %,d/%,d events", recorded, expected);
                    if (recorded < expected) {
                        waitMillis(200);
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            md.append(String.format(Locale.ROOT, "## Projection%n%n%,d events (%,d jobs, PENDING → SUCCEEDED) "
                    + "published in %.1f s; %,d recorded and projected after %.1f s: **%,.0f events/s** (%,.0f "
                    + "jobs/s).%n%n", expected, jobs, published, recorded, seconds, recorded / seconds,
                    recorded / seconds / statuses.size()));

            // 2. GET by id
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            SplittableRandom random = new SplittableRandom(42);
            long[] nanos = new long[gets];
            int warmup = Math.min(2_000, gets);
            int notFound = 0;
            for (int i = -warmup; i < gets; i++) {
                String id = "bench-" + (1 + random.nextInt(stored));
                HttpRequest request = HttpRequest.newBuilder(URI.create(statusUrl + "/api/jobs/" + id))
                        .header("Authorization", operator.authorization()).build();
                long t0 = System.nanoTime();
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                long t1 = System.nanoTime();
                if (response.statusCode() == 401 || response.statusCode() == 403) {
                    throw operator.refused(response);
                }
                if (response.statusCode() != 200) {
                    notFound++;
                }
                if (i >= 0) {
                    nanos[i] = t1 - t0;
                }
                if (i % 1000 == 0) {
                    System.out.printf("\rGET %,d/%,d", Math.max(0, i), gets);
                }
            }
            Arrays.sort(nanos);
            md.append(String.format(Locale.ROOT, "## GET /api/jobs/{id}%n%n%,d requests for random stored jobs, one "
                    + "at a time with an operator token, after %,d warm-up requests (%d not 200):%n%n| p50 | p90 | p99 | p99.9 | max |%n"
                    + "|---:|---:|---:|---:|---:|%n| %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms |%n", gets, warmup,
                    notFound, ms(nanos, 0.50), ms(nanos, 0.90), ms(nanos, 0.99), ms(nanos, 0.999),
                    nanos[nanos.length - 1] / 1e6));
        }
        Report report = new Report(options, "status-bench");
        report.write("summary.md", md.toString());
        System.out.println();
        System.out.print(md);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }

    private static JobStatusChanged event(String jobId, JobStatus status, Instant at) {
        JobStatusChanged e = JobStatusChanged.of(jobId, "digits", "bench", status, 1, at);
        return switch (status) {
            case PENDING -> e.withInput(new ObjectRef("infermesh", "inbox/digits/bench/" + jobId + ".png", null,
                    "e", 312L, "image/png"));
            case RUNNABLE -> e.withBackend(Backend.ONPREM, "model card of 'digits' fixes placement to the pool");
            case STARTING, RUNNING -> e.withBackend(Backend.ONPREM, null).withColdStart(false);
            case SUCCEEDED -> e.withBackend(Backend.ONPREM, null)
                    .withOutput(ObjectRef.of("infermesh", "results/digits/bench/" + jobId + "/result.json"))
                    .withTimings(new Timings(3L, 2L, 0L, 4L, 3L, 15L))
                    .withPredictions(List.of(new Prediction("7", 0.97), new Prediction("1", 0.02)));
            case FAILED, CANCELLED -> e;
        };
    }

    /** Inserts the missing {@code bench-1 … bench-N} succeeded jobs and their events; returns how many. */
    private static long seed(Connection db, int target) throws SQLException {
        long have = count(db, "SELECT count(*) FROM jobs WHERE job_id LIKE 'bench-%' AND job_id NOT LIKE 'bench-run-%'");
        if (have >= target) {
            return 0;
        }
        long inserted = 0;
        db.setAutoCommit(true);
        try (Statement st = db.createStatement()) {
            for (long from = 1; from <= target; from += 100_000) {
                long to = Math.min(target, from + 99_999);
                inserted += st.executeUpdate("""
                        INSERT INTO jobs (job_id, model, owner, status, attempt, status_rank, backend, placement_reason,
                            input_bucket, input_key, input_etag, input_size, input_content_type, output_bucket,
                            output_key, cold_start, queue_wait_ms, download_ms, inference_ms, upload_ms, total_ms,
                            predictions, created_at, updated_at, pending_at, runnable_at, starting_at, running_at,
                            finished_at)
                        SELECT 'bench-' || g, 'digits', 'owner-' || mod(g, 1000), 'SUCCEEDED', 1, 4, 'ONPREM',
                            'model card of ''digits'' fixes placement to the pool', 'infermesh',
                            'inbox/digits/owner-' || mod(g, 1000) || '/' || g || '.png', md5(g::text), 312, 'image/png',
                            'infermesh', 'results/digits/owner-' || mod(g, 1000) || '/bench-' || g || '/result.json',
                            false, 3, 2, 4, 3, 15,
                            '[{"label":"7","probability":0.97},{"label":"1","probability":0.02}]'::jsonb,
                            t, t, t, t, t, t, t
                        FROM generate_series(%d, %d) g, LATERAL (SELECT now() - g * interval '1 second' AS t) x
                        ON CONFLICT (job_id) DO NOTHING""".formatted(from, to));
                st.executeUpdate("""
                        INSERT INTO job_events (event_id, job_id, attempt, status, occurred_at, payload)
                        SELECT 'bench-' || g || '/1/SUCCEEDED', 'bench-' || g, 1, 'SUCCEEDED', now(),
                            jsonb_build_object('eventId', 'bench-' || g || '/1/SUCCEEDED', 'jobId', 'bench-' || g,
                                'model', 'digits', 'owner', 'owner-' || mod(g, 1000), 'status', 'SUCCEEDED',
                                'attempt', 1)
                        FROM generate_series(%d, %d) g
                        ON CONFLICT (event_id) DO NOTHING""".formatted(from, to));
                System.out.printf("\rseeding %,d/%,d jobs", to, target);
            }
            st.execute("ANALYZE jobs");
            st.execute("ANALYZE job_events");
        }
        System.out.println();
        return inserted;
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    private static void waitMillis(long millis) {
        try {
            Thread.sleep(millis); // polling interval of a command-line tool, not a test
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
