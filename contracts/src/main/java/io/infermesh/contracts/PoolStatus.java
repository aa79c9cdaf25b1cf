package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What one worker instance's pool of one model can take right now, published on {@link Topics#WORKER_POOLS} (keyed
 * {@code <model>/<instance>}) when it changes and every few seconds, so that placement can read capacity and backlog
 * rather than guess them. Schema: {@code /schemas/pool-status.schema.json}.
 *
 * @param model the model
 * @param instance the worker instance (host and process)
 * @param state {@link PoolState#ZERO} (no worker, model not in memory), {@link PoolState#WAKING} (backlog seen, first
 *     worker starting) or {@link PoolState#ACTIVE}
 * @param workers workers consuming now
 * @param maxWorkers the most this instance will run for the model
 * @param busy workers running jobs at this moment
 * @param backlog dispatched jobs not yet taken (all instances of the pool together: the topic's lag)
 * @param loaded whether the model's session is in memory
 * @param lastWakeMs the latest cold start, from the backlog seen to the first worker consuming (null: none yet)
 * @param at when this was measured
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolStatus(
        String model,
        String instance,
        PoolState state,
        int workers,
        int maxWorkers,
        int busy,
        long backlog,
        boolean loaded,
        Long lastWakeMs,
        Instant at) {}
