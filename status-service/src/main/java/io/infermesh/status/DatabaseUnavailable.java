package io.infermesh.status;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedRuntimeException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * While PostgreSQL cannot be reached, every API call that needs it answers at once 503 with a Retry-After, instead of
 * hanging: the pool gives up on a connection after {@code spring.datasource.hikari.connection-timeout} (2 s), and
 * that failure (no connection, connection refused or lost, no transaction could begin) is said here. Jobs are not held up meanwhile: the lifecycle flows without status-service, and the projection catches
 * up from Kafka when the database is back (the fault harness's {@code postgres-30s}).
 */
@RestControllerAdvice
class DatabaseUnavailable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailable.class);
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    @ExceptionHandler({
        DataAccessResourceFailureException.class,
        TransientDataAccessResourceException.class,
        RecoverableDataAccessException.class,
        CannotCreateTransactionException.class
    })
    ResponseEntity<ProblemDetail> unavailable(NestedRuntimeException e) {
        log.warn(
                "the job store cannot be reached, answering 503: {}",
                e.getMostSpecificCause().toString());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE,
                "the job store (PostgreSQL) cannot be reached right now; jobs keep running and their statuses are"
                        + " recorded once it is back: retry in " + RETRY_AFTER.toSeconds() + " s");
        problem.setTitle("Job store unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()))
                .body(problem);
    }
}
