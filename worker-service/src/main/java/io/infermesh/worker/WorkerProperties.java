package io.infermesh.worker;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * worker-service configuration, prefix {@code infermesh.worker}.
 *
 * @param modelsDir folder with one sub-folder per model, each with {@code model.yaml} and its ONNX artefact
 *     (default {@code models})
 * @param models the models this worker serves; empty means every card in {@code modelsDir}. The worker consumes
 *     {@code infermesh.jobs.dispatch.<model>} for each.
 * @param resultsBucket bucket for results; empty means the input's own bucket
 * @param resultsPrefix key prefix for results, {@code results/} by default: {@code <prefix><model>/<owner>/<jobId>/result.json}
 * @param intraOpThreads ONNX Runtime threads per run (default 1, so concurrent jobs share few cores well)
 * @param s3 how to reach the object store
 * @param pool how each model's pool of workers scales, batches and retries
 * @param artifactCache where artefacts from the models bucket ({@code artifact: s3://...}) are kept (default
 *     {@code <tmp>/infermesh-models})
 * @param cancellations how this instance keeps the cancelled jobs whose dispatches it skips
 */
@Validated
@ConfigurationProperties("infermesh.worker")
public record WorkerProperties(
        @NotBlank String modelsDir,
        List<String> models,
        String resultsBucket,
        String resultsPrefix,
        @Min(1) int intraOpThreads,
        @Valid S3 s3,
        @Valid Pool pool,
        String artifactCache,
        @Valid Cancellations cancellations) {

    public WorkerProperties {
        modelsDir = modelsDir == null || modelsDir.isBlank() ? "models" : modelsDir;
        models = models == null
                ? List.of()
                : models.stream().map(String::trim).filter(m -> !m.isEmpty()).toList();
        resultsBucket = resultsBucket == null ? "" : resultsBucket;
        resultsPrefix = resultsPrefix == null ? "results/" : resultsPrefix;
        intraOpThreads = intraOpThreads == 0 ? 1 : intraOpThreads;
        s3 = s3 == null ? new S3(null, null, null, null, false) : s3;
        pool = pool == null ? new Pool(0, 2, null, null, 0, null, null, 0, null, null, null, null, null) : pool;
        artifactCache = artifactCache == null || artifactCache.isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), "infermesh-models")
                        .toString()
                : artifactCache;
        cancellations = cancellations == null ? new Cancellations(0, null) : cancellations;
    }

    /**
     * The cancelled job attempts this instance skips (ADR 0016), read from {@code infermesh.jobs.cancellations}.
     *
     * @param capacity the most cancelled (job, attempt) pairs kept in memory; beyond it the oldest heard are
     *     forgotten (default 100000, a few megabytes)
     * @param catchUpTimeout at start-up, how long the pools wait for the topic to be read to its end (default 10 s);
     *     after it they start anyway, with a warning
     */
    public record Cancellations(@Min(1) int capacity, Duration catchUpTimeout) {
        public Cancellations {
            capacity = capacity == 0 ? 100_000 : capacity;
            catchUpTimeout = catchUpTimeout == null ? Duration.ofSeconds(10) : catchUpTimeout;
        }
    }

    /**
     * One pool of workers per model (ADR 0013): each worker is a Kafka consumer of the model's dispatch topic.
     *
     * @param minWorkers workers kept even when idle (default 0: scale to zero, the model leaves memory)
     * @param maxWorkers the most workers this instance runs for one model (default 2)
     * @param idleTimeout a worker that got no job for this long leaves (the last one releases the model; default 60 s)
     * @param wakeInterval how often the pools' backlogs are read to wake or grow a pool (default 100 ms)
     * @param batchMaxSize the most jobs run as one model invocation (default 8; 1 turns micro-batching off)
     * @param batchMaxWait how long a worker waits for more jobs to fill a batch (default 0: it takes what has already
     *     arrived, so a lone job is not delayed)
     * @param drainTimeout on shutdown, how long workers may take to finish the jobs they hold (default 30 s)
     * @param maxAttempts tries of a job that fails unexpectedly (storage, Kafka) before it is dead-lettered (default 3)
     * @param retryBackoff the pause before the second try, doubled for each later one (default 1 s)
     * @param statusInterval how often each pool's status is published even without a change (default 5 s)
     * @param groupProtocol the Kafka consumer group protocol: {@code consumer} (KIP-848, no join delay; default) or
     *     {@code classic}
     * @param sessionTimeout a worker instance that stops heartbeating (killed, frozen, cut off) loses its dispatch
     *     partitions to the other instances after this long (default 6 s; Kafka's own default is 45 s). With the
     *     {@code consumer} protocol it is the group's {@code consumer.session.timeout.ms}, set by the worker at
     *     start-up and bounded by the brokers' {@code group.consumer.min/max.session.timeout.ms}; with
     *     {@code classic}, the consumers' {@code session.timeout.ms}
     * @param heartbeatInterval how often a worker tells the group it is alive (default 1 s), a fraction of
     *     {@code sessionTimeout}; bounded like it by {@code group.consumer.min/max.heartbeat.interval.ms}
     */
    public record Pool(
            @Min(0) int minWorkers,
            @Min(1) int maxWorkers,
            Duration idleTimeout,
            Duration wakeInterval,
            @Min(1) int batchMaxSize,
            Duration batchMaxWait,
            Duration drainTimeout,
            @Min(1) int maxAttempts,
            Duration retryBackoff,
            Duration statusInterval,
            String groupProtocol,
            Duration sessionTimeout,
            Duration heartbeatInterval) {
        public Pool {
            maxWorkers = maxWorkers == 0 ? 2 : maxWorkers;
            idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
            wakeInterval = wakeInterval == null ? Duration.ofMillis(100) : wakeInterval;
            batchMaxSize = batchMaxSize == 0 ? 8 : batchMaxSize;
            batchMaxWait = batchMaxWait == null ? Duration.ZERO : batchMaxWait;
            drainTimeout = drainTimeout == null ? Duration.ofSeconds(30) : drainTimeout;
            maxAttempts = maxAttempts == 0 ? 3 : maxAttempts;
            retryBackoff = retryBackoff == null ? Duration.ofSeconds(1) : retryBackoff;
            statusInterval = statusInterval == null ? Duration.ofSeconds(5) : statusInterval;
            groupProtocol = groupProtocol == null || groupProtocol.isBlank() ? "consumer" : groupProtocol;
            sessionTimeout = sessionTimeout == null ? Duration.ofSeconds(6) : sessionTimeout;
            heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(1) : heartbeatInterval;
            if (heartbeatInterval.compareTo(sessionTimeout) >= 0) {
                throw new IllegalArgumentException("infermesh.worker.pool.heartbeat-interval (" + heartbeatInterval
                        + ") must be shorter than session-timeout (" + sessionTimeout + ")");
            }
            if (minWorkers > maxWorkers) {
                throw new IllegalArgumentException("infermesh.worker.pool.min-workers (" + minWorkers
                        + ") exceeds max-workers (" + maxWorkers + ")");
            }
        }
    }

    /**
     * The object store.
     *
     * @param endpoint S3 endpoint; empty for AWS S3 itself
     * @param region the region (default {@code us-east-1})
     * @param accessKey static access key; empty to use the AWS default credentials chain
     * @param secretKey static secret key
     * @param pathStyle path-style addressing (MinIO, S3Proxy and moto need it)
     */
    public record S3(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle) {
        public S3 {
            region = region == null || region.isEmpty() ? "us-east-1" : region;
        }
    }

    /** The models folder; relative paths resolve against the working directory. (Bound as text: Spring's
     *  Path conversion rejects relative paths such as {@code ../models}.) */
    public Path modelsPath() {
        return Path.of(modelsDir);
    }
}
