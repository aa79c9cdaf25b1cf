package io.infermesh.status.stream;

import io.infermesh.security.Caller;
import io.infermesh.status.OwnerScope;
import io.infermesh.status.StatusProperties;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/jobs/stream}: server-sent events of status changes ({@code event: status}, the
 * {@code JobStatusChanged} as data, its feed position as id), filterable by job, owner and model, resumable with
 * {@code Last-Event-ID} (or {@code ?after=}). A caller's stream carries only their own jobs' events (an operator's,
 * everyone's unless it names an owner), however its filters are set.
 */
@RestController
class StreamController {

    private final EventFeed feed;
    private final StatusProperties properties;

    StreamController(EventFeed feed, StatusProperties properties) {
        this.feed = feed;
        this.properties = properties;
    }

    @GetMapping(path = "/api/jobs/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(
            Caller caller,
            @RequestParam(required = false) String jobId,
            @RequestParam(required = false) String owner,
            @RequestParam(required = false) String model,
            @RequestParam(required = false) String after,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId)
            throws IOException {
        Long resumeAfter = position(
                lastEventId != null && !lastEventId.isBlank() ? lastEventId : after,
                lastEventId != null && !lastEventId.isBlank() ? "Last-Event-ID" : "after");
        SseEmitter emitter = new SseEmitter(properties.stream().timeout().toMillis());
        feed.subscribe(
                emitter, new EventFeed.Filter(blank(jobId), OwnerScope.of(caller, owner), blank(model)), resumeAfter);
        return emitter;
    }

    private static Long position(String value, String parameter) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long position = Long.parseLong(value.trim());
            if (position >= 0) {
                return position;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_REQUEST,
                parameter + " must be the id of an event this stream sent (a non-negative number), got '" + value
                        + "'");
        problem.setTitle("Invalid stream position");
        problem.setProperty("parameter", parameter);
        problem.setProperty("value", value);
        throw new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    @Configuration(proxyBeanMethods = false)
    static class Feed {

        @Bean
        EventFeed eventFeed(JdbcClient jdbc, StatusProperties properties) {
            StatusProperties.Stream s = properties.stream();
            return new EventFeed(jdbc, s.interval(), s.lag(), s.heartbeat());
        }
    }
}
