package io.infermesh.router.backend;

/** A backend did not accept a job. {@link Kind} says whether trying again may help. */
public final class BackendException extends RuntimeException {

    /** What went wrong, as far as retrying is concerned. */
    public enum Kind {
        /** The backend is out of capacity or rate-limited us: retry later, elsewhere, or fall back. */
        THROTTLED,
        /** A network error or a server-side fault: retry with backoff. */
        TRANSIENT,
        /** The request itself is wrong (no such function or queue, invalid parameters): retrying will not help. */
        REJECTED
    }

    private final Kind kind;

    public BackendException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the same call may succeed if repeated. */
    public boolean retryable() {
        return kind != Kind.REJECTED;
    }
}
