package io.infermesh.worker.engine;

import java.time.Duration;

/** A run took longer than the model's time limit and ONNX Runtime was told to stop; the job fails with {@code TIMEOUT}. */
public class RunTimeoutException extends ModelFailureException {
    private static final long serialVersionUID = 1L;

    public RunTimeoutException(String message) {
        super(message, null);
    }

    static RunTimeoutException of(ModelEntry model) {
        Duration limit = InferenceEngine.timeout(model.card());
        return new RunTimeoutException("the run took longer than model '" + model.name() + "' allows ("
                + limit.toSeconds() + " s, resources.timeoutSeconds) and was stopped");
    }
}
