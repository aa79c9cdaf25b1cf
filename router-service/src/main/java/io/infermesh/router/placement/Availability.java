package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import java.util.Optional;

/** Whether a backend can take jobs right now (configured, circuit breaker not open). */
@FunctionalInterface
public interface Availability {

    /** Why {@code backend} cannot take jobs now, or empty when it can. */
    Optional<String> unavailable(Backend backend);

    /** Every backend available. */
    static Availability all() {
        return backend -> Optional.empty();
    }
}
