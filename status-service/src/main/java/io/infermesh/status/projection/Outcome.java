package io.infermesh.status.projection;

import java.util.Locale;

/** What projecting one lifecycle event did to the job store; counted per outcome. */
enum Outcome {
    /** The event created the job or moved it forward. */
    APPLIED,
    /** The event id was already in the history: nothing changed. */
    DUPLICATE,
    /**
     * The event is older than the job's current {@code (attempt, status rank)}: it is kept in the history and may
     * fill fields the job still lacks, but the job does not move backwards.
     */
    STALE;

    /** The metric tag value. */
    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
