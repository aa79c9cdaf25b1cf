package io.infermesh.status;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of status-service, under {@code infermesh.status}. The Kafka binding (topic, group, dead letters)
 * and the database are configured with the standard {@code spring.cloud.stream.*} and {@code spring.datasource.*}
 * keys; see {@code status-service.yml}.
 *
 * @param defaultLimit how many jobs {@code GET /api/jobs} returns when the request names no {@code limit}
 * @param maxLimit the largest {@code limit} a request may ask for; larger requests get 400, so that a client learns
 *     the bound instead of silently receiving fewer jobs than it asked for
 * @param modelsDir the model catalogue, for each model's {@code resources.timeoutSeconds} (the reaper's limit); a
 *     missing folder means every model gets {@code reaper.default-timeout}
 * @param reaper settles jobs that make no progress
 * @param retention purges old terminal jobs
 * @param stream the live stream of status changes
 */
@Validated
@ConfigurationProperties(prefix = "infermesh.status")
public record StatusProperties(
        @DefaultValue("100") @Min(1) @Max(10_000) int defaultLimit,
        @DefaultValue("1000") @Min(1) @Max(10_000) int maxLimit,
        @DefaultValue("models") String modelsDir,
        @DefaultValue Reaper reaper,
        @DefaultValue Retention retention,
        @DefaultValue Stream stream) {

    public StatusProperties {
        if (defaultLimit > maxLimit) {
            throw new IllegalArgumentException(
                    "infermesh.status.default-limit (" + defaultLimit + ") exceeds max-limit (" + maxLimit + ")");
        }
    }

    /**
     * The reaper: a job whose last progress (the time of its latest status) is older than its model's
     * {@code timeoutSeconds} plus {@code grace}, in a non-terminal status, is settled FAILED ({@code STUCK}).
     *
     * @param enabled whether it runs (default true)
     * @param interval how often it looks (default 30 s)
     * @param grace added to each model's timeout (default 5 min: queueing, clock skew, slow start-ups)
     * @param defaultTimeout the limit of a model without a card or without {@code timeoutSeconds} (default 15 min)
     * @param batchSize at most this many jobs settled per sweep (default 500)
     * @param quiet a job is settled only if the projection has also recorded no change to it for this long, by the
     *     database clock (default 2 min): after an outage, the backlog being caught up carries old event times,
     *     and a job whose RUNNING was just projected may have its SUCCEEDED a few records further on
     */
    public record Reaper(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("30s") Duration interval,
            @DefaultValue("5m") Duration grace,
            @DefaultValue("15m") Duration defaultTimeout,
            @DefaultValue("500") @Min(1) int batchSize,
            @DefaultValue("2m") Duration quiet) {}

    /**
     * Retention.
     *
     * @param days terminal jobs (and their event history) finished more than this many days ago are deleted;
     *     0 keeps them forever (default)
     * @param interval how often to purge (default 1 h)
     */
    public record Retention(
            @DefaultValue("0") @Min(0) int days,
            @DefaultValue("1h") Duration interval) {}

    /**
     * The live stream, {@code GET /api/jobs/stream}.
     *
     * @param interval how often the feed looks for new events (default 250 ms)
     * @param lag events are delivered once they are this old, so none is overtaken by one committed later
     *     (default 500 ms)
     * @param heartbeat a comment line this often keeps idle connections open through proxies (default 15 s)
     * @param timeout a stream ends after this long; clients reconnect with Last-Event-ID (default 30 min)
     */
    public record Stream(
            @DefaultValue("250ms") Duration interval,
            @DefaultValue("500ms") Duration lag,
            @DefaultValue("15s") Duration heartbeat,
            @DefaultValue("30m") Duration timeout) {}
}
