package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Why a job runs where it runs: the router's decision, carried on the RUNNABLE lifecycle event so that people and
 * dashboards can see the alternatives it weighed.
 *
 * @param mode the model card's placement mode ({@code onprem}, {@code lambda}, {@code batch}, {@code lambda-batch},
 *     {@code auto})
 * @param chosen the backend the job was placed on
 * @param reason the decision in one sentence
 * @param deadlineSeconds the deadline the decision had to meet, when the mode has one
 * @param alternatives every backend considered, the chosen one included, with its expected cost and time or why it
 *     was not eligible
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlacementDecision(
        String mode, Backend chosen, String reason, Integer deadlineSeconds, List<Alternative> alternatives) {

    public PlacementDecision {
        alternatives = alternatives == null ? List.of() : List.copyOf(alternatives);
    }

    /**
     * One backend as the router saw it.
     *
     * @param backend the backend
     * @param eligible whether it could take the job (limits, configuration, circuit breaker, deadline, cost ceiling)
     * @param expectedCostUsd the expected cost of the job there, in US dollars
     * @param expectedSeconds the expected time from now to the job's completion there
     * @param note why it is not eligible, or what the estimate rests on
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Alternative(
            Backend backend, boolean eligible, Double expectedCostUsd, Double expectedSeconds, String note) {}
}
