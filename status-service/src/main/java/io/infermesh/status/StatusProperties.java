package io.infermesh.status;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
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
 */
@Validated
@ConfigurationProperties(prefix = "infermesh.status")
public record StatusProperties(
        @DefaultValue("100") @Min(1) @Max(10_000) int defaultLimit,
        @DefaultValue("1000") @Min(1) @Max(10_000) int maxLimit) {

    public StatusProperties {
        if (defaultLimit > maxLimit) {
            throw new IllegalArgumentException(
                    "infermesh.status.default-limit (" + defaultLimit + ") exceeds max-limit (" + maxLimit + ")");
        }
    }
}
