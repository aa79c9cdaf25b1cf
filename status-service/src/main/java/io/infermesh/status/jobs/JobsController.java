package io.infermesh.status.jobs;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.security.Caller;
import io.infermesh.status.OwnerScope;
import io.infermesh.status.StatusProperties;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The job store over HTTP. Errors are RFC 9457 problem details ({@code application/problem+json}).
 *
 * <p>Each caller sees their own jobs; an operator sees everyone's (ADR 0014). A list or statistic naming another
 * owner is refused (403); another owner's job by id is 404, word for word the answer for a job that does not exist,
 * so an id says nothing about whether it exists.
 */
@RestController
@RequestMapping("/api/jobs")
class JobsController {

    private static final List<String> STATUSES =
            Arrays.stream(JobStatus.values()).map(Enum::name).toList();

    private final JobQueries queries;
    private final StatusProperties properties;

    private final JobActions actions;

    JobsController(JobQueries queries, StatusProperties properties, JobActions actions) {
        this.queries = queries;
        this.properties = properties;
        this.actions = actions;
    }

    @GetMapping("/{jobId}")
    JobView job(Caller caller, @PathVariable String jobId) {
        return visible(caller, jobId);
    }

    @GetMapping("/{jobId}/events")
    JobHistory events(Caller caller, @PathVariable String jobId) {
        visible(caller, jobId);
        List<JobStatusChanged> events = queries.history(jobId);
        if (events.isEmpty()) {
            throw jobNotFound(jobId);
        }
        return new JobHistory(jobId, events);
    }

    /** 202: {@code CANCELLED} is published for the job's attempt (ADR 0016); 409 once it runs or has finished. */
    @PostMapping("/{jobId}/cancel")
    ResponseEntity<JobActions.Accepted> cancel(Caller caller, @PathVariable String jobId) {
        return ResponseEntity.accepted().body(actions.cancel(visible(caller, jobId), caller));
    }

    /** 202: the next attempt of a FAILED job is requested, optionally on another backend; 409 for any other job. */
    @PostMapping("/{jobId}/retry")
    ResponseEntity<JobActions.Accepted> retry(
            Caller caller, @PathVariable String jobId, @RequestParam(required = false) String backend) {
        Backend on = backend(backend);
        return ResponseEntity.accepted().body(actions.retry(visible(caller, jobId), caller, on));
    }

    @GetMapping
    JobList jobs(
            Caller caller,
            @RequestParam(required = false) String model,
            @RequestParam(required = false) String owner,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String backend,
            @RequestParam(required = false) String bucket,
            @RequestParam(required = false) String key,
            @RequestParam(required = false) String versionId,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        int max = properties.maxLimit();
        int effectiveLimit = limit == null ? properties.defaultLimit() : limit;
        if (effectiveLimit < 1 || effectiveLimit > max) {
            throw badRequest("Invalid limit", "limit must be between 1 and " + max + ", got " + limit, "limit", limit);
        }
        JobQueries.Sort order = sort == null || sort.isBlank()
                ? JobQueries.Sort.CREATED_DESC
                : JobQueries.Sort.parse(sort.trim())
                        .orElseThrow(() -> badRequest(
                                "Unknown sort",
                                "sort must be one of -createdAt (newest first, the default), createdAt, -updatedAt, "
                                        + "updatedAt; got '" + sort + "'",
                                "sort",
                                sort));
        JobQueries.Cursor after = null;
        if (cursor != null && !cursor.isBlank()) {
            after = JobQueries.Cursor.decode(cursor.trim())
                    .orElseThrow(() -> badRequest(
                            "Invalid cursor",
                            "cursor must be a nextCursor this API returned, got '" + cursor + "'",
                            "cursor",
                            cursor));
            if (after.sort() != order) {
                throw badRequest(
                        "Cursor of another order",
                        "this cursor continues a list sorted by " + after.sort().spelling + "; ask again with sort="
                                + after.sort().spelling,
                        "cursor",
                        cursor);
            }
        }
        JobQueries.Page page = queries.list(
                filter(model, OwnerScope.of(caller, owner), status, backend, bucket, key, versionId, from, to),
                order,
                after,
                effectiveLimit);
        return new JobList(page.jobs(), page.nextCursor());
    }

    @GetMapping("/stats")
    Map<String, Object> stats(
            Caller caller,
            @RequestParam(required = false) String model,
            @RequestParam(required = false) String owner,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String backend,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to) {
        Map<String, Object> body = new LinkedHashMap<>();
        JobQueries.Filter filter =
                filter(model, OwnerScope.of(caller, owner), status, backend, null, null, null, from, to);
        body.put("filter", filter);
        body.putAll(queries.stats(filter));
        return body;
    }

    /** The job, if the caller may see it; otherwise exactly the answer for a job that does not exist. */
    private JobView visible(Caller caller, String jobId) {
        return queries.find(jobId).filter(job -> caller.mayAccess(job.owner())).orElseThrow(() -> jobNotFound(jobId));
    }

    private static JobQueries.Filter filter(
            String model,
            String owner,
            String status,
            String backend,
            String bucket,
            String key,
            String versionId,
            String from,
            String to) {
        Instant start = instant(from, "from");
        Instant end = instant(to, "to");
        if (start != null && end != null && !start.isBefore(end)) {
            throw badRequest("Empty time range", "from (" + from + ") must be before to (" + to + ")", "from", from);
        }
        return new JobQueries.Filter(
                blankToNull(model),
                owner,
                status(status),
                backend(backend),
                blankToNull(bucket),
                blankToNull(key),
                blankToNull(versionId),
                start,
                end);
    }

    private static Instant instant(String value, String parameter) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw badRequest(
                    "Invalid time",
                    parameter + " must be an ISO-8601 instant such as " + "2026-11-22T10:15:30Z, got '" + value + "'",
                    parameter,
                    value);
        }
    }

    private static Backend backend(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        for (Backend b : Backend.values()) {
            if (b.name().equalsIgnoreCase(value.trim())) {
                return b;
            }
        }
        ErrorResponseException problem = badRequest(
                "Unknown backend", "backend '" + value + "' is not one of onprem, lambda, batch", "backend", value);
        problem.getBody().setProperty("legalValues", List.of("onprem", "lambda", "batch"));
        throw problem;
    }

    private static JobStatus status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String name = value.trim().toUpperCase(Locale.ROOT);
        if (!STATUSES.contains(name)) {
            ErrorResponseException problem = badRequest(
                    "Unknown status",
                    "status '" + value + "' is not one of " + String.join(", ", STATUSES),
                    "status",
                    value);
            problem.getBody().setProperty("legalValues", STATUSES);
            throw problem;
        }
        return JobStatus.valueOf(name);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static ErrorResponseException jobNotFound(String jobId) {
        ProblemDetail problem =
                ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No job with id '" + jobId + "'");
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

    /**
     * The body of {@code GET /api/jobs}.
     *
     * @param jobs the page
     * @param nextCursor pass as {@code cursor} (with the same sort and filters) for the next page; null on the last
     */
    record JobList(List<JobView> jobs, String nextCursor) {}

    /** The body of {@code GET /api/jobs/{jobId}/events}. */
    record JobHistory(String jobId, List<JobStatusChanged> events) {}
}
