package io.infermesh.router;

import io.infermesh.router.backend.Backends;
import io.infermesh.router.placement.Estimates;
import io.infermesh.router.placement.PriceTable;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * router-service configuration, prefix {@code infermesh.router}. Every group is optional; what is not set takes the
 * default named here.
 *
 * @param modelsDir the model catalogue: a folder holding one sub-folder per model, each with its {@code model.yaml}
 *     (default {@code models}, the example models of the repository when started from its root)
 * @param recentJobs how many recently placed job ids the router remembers to drop duplicate requests
 *     (default 100000, a few MB)
 * @param resultsBucket where Lambda and Batch write {@code result.json}; empty: the input's own bucket
 * @param resultsPrefix key prefix of results (default {@code results/}), like the on-prem workers
 * @param aws the AWS account for the Lambda and Batch backends
 * @param prices the price table, {@link PriceTable}
 * @param estimates the latency assumptions, {@link Estimates}
 * @param resilience circuit breakers, retries and rate limits, {@link Backends.Resilience}
 * @param batchPoll DescribeJobs polling of Batch jobs whose state-change events are late
 * @param pools how the worker pools' own status reports ({@code infermesh.workers.pools}) are read
 */
@Validated
@ConfigurationProperties("infermesh.router")
public record RouterProperties(
        @NotBlank String modelsDir,
        @Min(0) int recentJobs,
        String resultsBucket,
        String resultsPrefix,
        Aws aws,
        Prices prices,
        Latency estimates,
        Resilience resilience,
        BatchPoll batchPoll,
        Pools pools) {

    public RouterProperties {
        modelsDir = modelsDir == null || modelsDir.isBlank() ? "models" : modelsDir;
        recentJobs = recentJobs == 0 ? 100_000 : recentJobs;
        resultsBucket = resultsBucket == null ? "" : resultsBucket;
        resultsPrefix = resultsPrefix == null ? "results/" : resultsPrefix;
        aws = aws == null ? new Aws(false, null, null, null, null) : aws;
        prices = prices == null ? new Prices(null, null, null, null, null, null) : prices;
        estimates = estimates == null ? new Latency(null, null, null, null, null, null, null, null, null) : estimates;
        resilience = resilience == null ? new Resilience(null, null, null, null, null, null, null, null) : resilience;
        batchPoll = batchPoll == null ? new BatchPoll(null, null) : batchPoll;
        pools = pools == null ? new Pools(null, null) : pools;
    }

    /** The models folder; relative paths resolve against the working directory. (Bound as text: Spring's
     *  Path conversion rejects relative paths such as {@code ../models}.) */
    public Path modelsPath() {
        return Path.of(modelsDir);
    }

    /**
     * The AWS account.
     *
     * @param enabled whether the Lambda and Batch backends exist at all (default false: on-prem only)
     * @param region the region (default: the SDK's default chain, else us-east-1)
     * @param endpoint an endpoint override for both APIs (a moto server, LocalStack), empty for AWS
     * @param accessKeyId static credentials, empty for the SDK's default chain (environment, profile, role)
     * @param secretAccessKey static credentials' secret
     */
    public record Aws(boolean enabled, String region, URI endpoint, String accessKeyId, String secretAccessKey) {}

    /** {@link PriceTable} entries; null keeps the default. */
    public record Prices(
            Double lambdaUsdPerMsAt2048Mb,
            Double lambdaUsdPerRequest,
            Double batchUsdPerInstanceSecond,
            Double batchGpuUsdPerInstanceSecond,
            Double batchMinimumBilledSeconds,
            Double onpremUsdPerSlotSecond) {

        public PriceTable table() {
            PriceTable d = PriceTable.defaults();
            return new PriceTable(
                    or(lambdaUsdPerMsAt2048Mb, d.lambdaUsdPerMsAt2048Mb()),
                    or(lambdaUsdPerRequest, d.lambdaUsdPerRequest()),
                    or(batchUsdPerInstanceSecond, d.batchUsdPerInstanceSecond()),
                    or(batchGpuUsdPerInstanceSecond, d.batchGpuUsdPerInstanceSecond()),
                    or(batchMinimumBilledSeconds, d.batchMinimumBilledSeconds()),
                    or(onpremUsdPerSlotSecond, d.onpremUsdPerSlotSecond()));
        }
    }

    /** {@link Estimates} entries; null keeps the default. */
    public record Latency(
            Double onpremColdStartSeconds,
            Double onpremIdleSeconds,
            Integer onpremSlots,
            Double lambdaColdStartSeconds,
            Double lambdaWarmSeconds,
            Double batchColdStartSeconds,
            Double batchWarmStartSeconds,
            Double batchWarmSeconds,
            Double defaultRunSeconds) {

        public Estimates estimates() {
            Estimates d = Estimates.defaults();
            return new Estimates(
                    or(onpremColdStartSeconds, d.onpremColdStartSeconds()),
                    or(onpremIdleSeconds, d.onpremIdleSeconds()),
                    onpremSlots == null ? d.onpremSlots() : onpremSlots,
                    or(lambdaColdStartSeconds, d.lambdaColdStartSeconds()),
                    or(lambdaWarmSeconds, d.lambdaWarmSeconds()),
                    or(batchColdStartSeconds, d.batchColdStartSeconds()),
                    or(batchWarmStartSeconds, d.batchWarmStartSeconds()),
                    or(batchWarmSeconds, d.batchWarmSeconds()),
                    or(defaultRunSeconds, d.defaultRunSeconds()));
        }
    }

    /** {@link Backends.Resilience} entries; null keeps the default. */
    public record Resilience(
            Integer failureRatePercent,
            Integer window,
            Integer minimumCalls,
            Duration openFor,
            Integer retryAttempts,
            Duration retryBackoff,
            Integer callsPerSecond,
            Duration rateLimitWait) {

        public Backends.Resilience settings() {
            Backends.Resilience d = Backends.Resilience.defaults();
            return new Backends.Resilience(
                    failureRatePercent == null ? d.failureRatePercent() : failureRatePercent,
                    window == null ? d.window() : window,
                    minimumCalls == null ? d.minimumCalls() : minimumCalls,
                    openFor == null ? d.openFor() : openFor,
                    retryAttempts == null ? d.retryAttempts() : retryAttempts,
                    retryBackoff == null ? d.retryBackoff() : retryBackoff,
                    callsPerSecond == null ? d.callsPerSecond() : callsPerSecond,
                    rateLimitWait == null ? d.rateLimitWait() : rateLimitWait);
        }
    }

    /**
     * Batch polling.
     *
     * @param interval how often to look for late Batch jobs (default 30 s)
     * @param lateAfter a Batch job whose status has not changed for this long is described (default 60 s)
     */
    public record BatchPoll(Duration interval, Duration lateAfter) {

        public BatchPoll {
            interval = interval == null ? Duration.ofSeconds(30) : interval;
            lateAfter = lateAfter == null ? Duration.ofSeconds(60) : lateAfter;
        }
    }

    /**
     * The worker pools' status reports.
     *
     * @param staleness a status measured longer ago than this is ignored (default 20 s: four of the workers' 5 s
     *     status intervals, so one or two lost or late reports do not matter but a stopped instance soon does)
     * @param modelLoadSeconds added to a pool's measured wake ({@code lastWakeMs}) to estimate its cold start: the
     *     wake ends when the first worker consumes, loading and warming up the model follow (default 0.5 s; the
     *     example models load and warm up in a few milliseconds, see load-tests/README.md)
     */
    public record Pools(Duration staleness, Double modelLoadSeconds) {

        public Pools {
            staleness = staleness == null ? Duration.ofSeconds(20) : staleness;
            modelLoadSeconds = modelLoadSeconds == null ? 0.5 : modelLoadSeconds;
        }
    }

    private static double or(Double value, double fallback) {
        return value == null ? fallback : value;
    }
}
