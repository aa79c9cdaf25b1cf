package io.infermesh.contracts;

/** Why a job ended {@link JobStatus#FAILED}: machine-readable; the event's {@code message} says it to a person. */
public enum FailureReason {
    /** The input could not be read as what the model takes (not an image, malformed JSON...). */
    INVALID_INPUT,
    /** The input is larger than the model card's {@code resources.maxInputBytes}. */
    INPUT_TOO_LARGE,
    /** No model card exists for the model named in the object key. */
    UNKNOWN_MODEL,
    /** The object key is not {@code <model>/<owner>/<file>} or is unsafe. */
    INVALID_KEY,
    /** The input object could not be read from storage. */
    INPUT_NOT_FOUND,
    /** The model itself failed (ONNX Runtime error, shape mismatch). */
    MODEL_ERROR,
    /** The job exceeded its time limit. */
    TIMEOUT,
    /** No backend could take the job: not configured, its circuit breaker open, or over the cost ceiling. */
    BACKEND_UNAVAILABLE,
    /** Every backend that could take the job would finish after the model's deadline. */
    DEADLINE_UNREACHABLE,
    /** A cloud backend refused the job for lack of capacity (Lambda throttling, event age exceeded). */
    THROTTLED,
    /** A cloud backend ran the job and reported an error (Lambda function error, Batch job FAILED). */
    BACKEND_ERROR,
    /** A message about the job could not be processed and was dead-lettered. */
    DEAD_LETTERED,
    /** The job made no progress before its deadline. */
    STUCK,
    /** An unexpected error inside infermesh. */
    INTERNAL_ERROR
}
