package io.infermesh.status.jobs;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.status.StatusProperties;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The job store over HTTP. Errors are RFC 9457 problem details ({@code application/problem+json}). */
@RestController
@RequestMapping("/api/jobs")
class JobsController {

    private static final List<String> STATUSES = Arrays.stream(JobStatus.values()).map(Enum::name).toList();

    private final JobQueries queries;
    private final StatusProperties properties;

    JobsController(JobQueries queries, StatusProperties properties) {
        this.queries = queries;
        this.properties = properties;
    }

    @GetMapping("/{jobId}")
    JobView job(@PathVariable String jobId) {
        return queries.find(jobId).orElseThrow(() -> jobNotFound(jobId));
    }

    @GetMapping("/{jobId}/events")
    JobHistory events(@PathVariable String jobId) {
        List<JobStatusChanged> events = queries.history(jobId);
        if (events.isEmpty()) {
            throw jobNotFound(jobId);
        }
        return new JobHistory(jobId, events);
    }

    @GetMapping
    JobList jobs(@RequestParam(required = false) String model, @RequestParam(required = false) String owner,
            @RequestParam(required = false) String status, @RequestParam(required = false) Integer limit) {
        int max = properties.maxLimit();
        int effectiveLimit = limit == null ? properties.defaultLimit() : limit;
        if (effectiveLimit < 1 || effectiveLimit > max) {
            throw badRequest("Invalid limit", "limit must be between 1 and " + max + ", got " + limit, "limit",
                    limit);
        }
        return new JobList(queries.list(blankToNull(model), blankToNull(owner), status(status), effectiveLimit));
    }

    private static JobStatus status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String name = value.trim().toUpperCase(Locale.ROOT);
        if (!STATUSES.contains(name)) {
            ErrorResponseException problem = badRequest("Unknown status",
                    "status '" + value + "' is not one of " + String.join(", ", STATUSES), "status", value);
            problem.getBody().setProperty("legalValues", STATUSES);
            throw problem;
        }
        return JobStatus.valueOf(name);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static ErrorResponseException jobNotFound(String jobId) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "No job with id '" + jobId + "'");
        problem.setTitle("Job not found");
        problem.setProperty("jobId", jobId);
        return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
    }

    private static ErrorResponseException badRequest(String title, String detail, String parameter, Object value) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle(title);
        problem.setProperty("parameter", parameter);
        problem.setProperty("value", value);
        return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
    }

    /** The body of {@code GET /api/jobs}. */
    record JobList(List<JobView> jobs) {
    }

    /** The body of {@code GET /api/jobs/{jobId}/events}. */
    record JobHistory(String jobId, List<JobStatusChanged> events) {
    }
}
