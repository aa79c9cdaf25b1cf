package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import java.util.Optional;

/** Whether a backend can take jobs right now (configured, circuit breaker not open). */
@FunctionalInterface
public interface Availability {

    /** Why {@code backend} cannot take jobs now, or empty when it can. */
    Optional<String> unavailable(Backend backend);

    /**
     * Why this registered backend cannot take jobs now. By default a shipped backend's {@link #unavailable(Backend)},
     * and a backend added through {@link BackendModel} always available; the router's {@code Backends} knows both.
     */
    default Optional<String> unavailable(BackendModel backend) {
        return backend.wire().flatMap(this::unavailable);
    }

    /** Every backend available. */
    static Availability all() {
        return backend -> Optional.empty();
    }
}
