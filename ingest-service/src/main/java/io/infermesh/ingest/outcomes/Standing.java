package io.infermesh.ingest.outcomes;

import io.infermesh.contracts.JobStatus;

/**
 * Where a job stands as the status API shows it: its attempt and status.
 *
 * @param attempt the attempt the status API shows
 * @param status its status there
 */
public record Standing(int attempt, JobStatus status) {

    /**
     * Whether the job's outcome is the success of {@code attempt}: the only case in which that attempt's result goes to
     * {@code infermesh.jobs.results} (ADR 0016). Not when the job had already succeeded in another attempt or was
     * cancelled (final outcomes), nor when the status API shows another attempt or a failure of this one (the first
     * terminal status of an attempt stays).
     */
    public boolean succeededIn(int attempt) {
        return status == JobStatus.SUCCEEDED && this.attempt == attempt;
    }

    /**
     * Why a result of {@code attempt} is left out, as a metric tag: {@code succeeded-in-another-attempt},
     * {@code cancelled}, or {@code superseded} (another attempt, or a failure of this one, is what the status API
     * shows).
     */
    public String withheldBecause() {
        return switch (status) {
            case SUCCEEDED -> "succeeded-in-another-attempt";
            case CANCELLED -> "cancelled";
            default -> "superseded";
        };
    }
}
