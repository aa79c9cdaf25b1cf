package io.infermesh.worker.engine;

/** The model could not be loaded or run; the job fails with {@code MODEL_ERROR}. */
public class ModelFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
