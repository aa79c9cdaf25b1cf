package io.infermesh.load;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * status-service under a big store, through its public surface only (the lifecycle topic and the REST API, with the
 * operator's bearer token; an operator sees every owner's jobs, and the token is fetched again before it expires, see
 * {@link OperatorToken}): tops the job store up to {@code --jobs} (one million) succeeded jobs of the model
 * {@value #SEED_MODEL} by publishing their SUCCEEDED events on {@code infermesh.jobs.lifecycle}, and waits until
 * {@code GET /api/jobs/stats} counts them; then measures (1) the projection rate: {@code --events} lifecycle events
 * (PENDING → SUCCEEDED for {@code events / 5} new jobs of one owner) published at once, timed until the stats count
 * every one of those jobs SUCCEEDED (a job's events share its partition and are projected in order, so its SUCCEEDED
 * is its last); (2) {@code GET /api/jobs/{id}} latency for {@code --gets} random stored jobs, one at a time over a
 * kept-alive connection, after a warm-up. Needs the running mesh (its Kafka, status-service and issuer).
 */
final class StatusBench {

    /** The model of the stored jobs, which no worker serves: the router learns nothing about real models from them. */
    static final String SEED_MODEL = "status-bench";

    private static final String SEED_PREFIX = "status-bench-";
    private static final String LIFECYCLE = "infermesh.jobs.lifecycle";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StatusBench() {}

    static void run(Options options) throws Exception {
        int stored = options.getInt("jobs", 1_000_000);
        int events = options.getInt("events", 50_000);
        int gets = options.getInt("gets", 20_000);
        String statusUrl = (options.get("status") == null ? "http://127.0.0.1:8080" : options.get("status"));
        // before anything is published: a missing secret or a wrong issuer fails here, not after the seeding
        OperatorToken operator = OperatorToken.from(options);
        operator.authorization();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Stats stats = new Stats(http, statusUrl, operator);
        StringBuilder md = new StringBuilder("# status-bench\n\n");
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.get("kafka"));
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (var producer =
                new KafkaProducer<String, byte[]>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
            long seeded = seed(producer, stats, stored);
            md.append(String.format(
                    Locale.ROOT,
                    "Store: %,d jobs, %,d of them the bench's stored jobs (%,d " + "published by this run).%n%n",
                    stats.jobs(""),
                    stats.jobs("model=" + SEED_MODEL),
                    seeded));

            // 1. projection rate
            String run = "bench-run-" + UUID.randomUUID().toString().substring(0, 8);
            List<JobStatus> statuses = List.of(
                    JobStatus.PENDING, JobStatus.RUNNABLE, JobStatus.STARTING, JobStatus.RUNNING, JobStatus.SUCCEEDED);
            int jobs = Math.max(1, events / statuses.size());
            long start = System.nanoTime();
            Instant now = Instant.now();
            for (int j = 0; j < jobs; j++) {
                String jobId = run + "-" + j;
                for (JobStatus status : statuses) {
                    send(producer, event(jobId, run, status, now), now);
                }
            }
            producer.flush();
            double published = (System.nanoTime() - start) / 1e9;
            long done = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (done < jobs && System.nanoTime() < deadline) {
                done = stats.jobs("owner=" + run + "&status=SUCCEEDED");
                System.out.printf("\rprojected %,d/%,d jobs", done, jobs);
                if (done < jobs) {
                    waitMillis(200);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int expected = jobs * statuses.size();
            md.append(String.format(
                    Locale.ROOT,
                    "## Projection%n%n%,d events (%,d jobs, PENDING → SUCCEEDED) "
                            + "published in %.1f s; %,d of the jobs SUCCEEDED in the stats after %.1f s: **%,.0f events/s** "
                            + "(%,.0f jobs/s).%n%n",
                    expected,
                    jobs,
                    published,
                    done,
                    seconds,
                    done * statuses.size() / seconds,
                    done / seconds));
        }

        // 2. GET by id
        SplittableRandom random = new SplittableRandom(42);
        long[] nanos = new long[gets];
        int warmup = Math.min(2_000, gets);
        int notFound = 0;
        for (int i = -warmup; i < gets; i++) {
            String id = SEED_PREFIX + (1 + random.nextInt(stored));
            HttpRequest request = HttpRequest.newBuilder(URI.create(statusUrl + "/api/jobs/" + id))
                    .header("Authorization", operator.authorization())
                    .build();
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
        md.append(String.format(
                Locale.ROOT,
                "## GET /api/jobs/{id}%n%n%,d requests for random stored jobs, one "
                        + "at a time with an operator token, after %,d warm-up requests (%d not 200):%n%n| p50 | p90 | p99 | p99.9 | max |%n"
                        + "|---:|---:|---:|---:|---:|%n| %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms |%n",
                gets,
                warmup,
                notFound,
                ms(nanos, 0.50),
                ms(nanos, 0.90),
                ms(nanos, 0.99),
                ms(nanos, 0.999),
                nanos[nanos.length - 1] / 1e6));
        Report report = new Report(options, "status-bench");
        report.write("summary.md", md.toString());
        System.out.println();
        System.out.print(md);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }

    private static JobStatusChanged event(String jobId, String owner, JobStatus status, Instant at) {
        JobStatusChanged e = JobStatusChanged.of(jobId, "digits", owner, status, 1, at);
        return switch (status) {
            case PENDING ->
                e.withInput(new ObjectRef(
                        "infermesh", "inbox/digits/" + owner + "/" + jobId + ".png", null, "e", 312L, "image/png"));
            case RUNNABLE -> e.withBackend(Backend.ONPREM, "model card of 'digits' fixes placement to the pool");
            case STARTING, RUNNING -> e.withBackend(Backend.ONPREM, null).withColdStart(false);
            case SUCCEEDED -> succeeded(e, "digits", owner, jobId);
            case FAILED, CANCELLED -> e;
        };
    }

    private static JobStatusChanged succeeded(JobStatusChanged e, String model, String owner, String jobId) {
        return e.withBackend(Backend.ONPREM, null)
                .withOutput(ObjectRef.of("infermesh", "results/" + model + "/" + owner + "/" + jobId + "/result.json"))
                .withTimings(new Timings(3L, 2L, 0L, 4L, 3L, 15L))
                .withPredictions(List.of(new Prediction("7", 0.97), new Prediction("1", 0.02)));
    }

    /**
     * Publishes the SUCCEEDED event of every stored job {@code status-bench-1 … status-bench-N} when the store counts
     * fewer than {@code target} of them (those already stored are duplicates the projection drops), then waits until
     * it counts them all; returns how many events it published.
     */
    private static long seed(KafkaProducer<String, byte[]> producer, Stats stats, int target) throws Exception {
        long have = stats.jobs("model=" + SEED_MODEL);
        if (have >= target) {
            return 0;
        }
        Instant now = Instant.now();
        for (int g = 1; g <= target; g++) {
            String jobId = SEED_PREFIX + g;
            String owner = "owner-" + g % 1000;
            // a day and more of history, one job a second, as a store that has been in use
            Instant at = now.minusSeconds(g);
            send(
                    producer,
                    succeeded(
                            JobStatusChanged.of(jobId, SEED_MODEL, owner, JobStatus.SUCCEEDED, 1, at),
                            SEED_MODEL,
                            owner,
                            jobId),
                    at);
            if (g % 10_000 == 0) {
                System.out.printf("\rseeding: published %,d/%,d", g, target);
            }
        }
        producer.flush();
        System.out.println();
        long deadline = System.nanoTime() + Duration.ofHours(2).toNanos();
        while (have < target && System.nanoTime() < deadline) {
            // the count and statistics over a million rows are not free: ask seldom while the projection works
            waitMillis(10_000);
            have = stats.jobs("model=" + SEED_MODEL);
            System.out.printf("\rseeding: %,d/%,d stored", have, target);
        }
        System.out.println();
        if (have < target) {
            throw new IllegalStateException(
                    "status-service stored only " + have + " of the " + target + " seeded jobs within 2 h");
        }
        return target;
    }

    private static void send(KafkaProducer<String, byte[]> producer, JobStatusChanged event, Instant at) {
        var record = new ProducerRecord<String, byte[]>(LIFECYCLE, event.jobId(), JSON.writeValueAsBytes(event));
        CloudEventTypes.headers(event.eventId(), CloudEventTypes.JOB_STATUS_CHANGED, "load-tests", event.jobId(), at)
                .forEach((k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
        producer.send(record);
    }

    /** {@code GET /api/jobs/stats}: how many jobs match a filter (a query string of plain names, or none). */
    private record Stats(HttpClient http, String statusUrl, OperatorToken operator) {

        long jobs(String query) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(statusUrl + "/api/jobs/stats" + (query.isEmpty() ? "" : "?" + query)))
                    .header("Authorization", operator.authorization())
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw operator.refused(response);
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "GET " + request.uri() + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body()).path("jobs").asLong();
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
