package io.infermesh.status.deadletters;

import io.infermesh.security.Caller;
import io.infermesh.status.StatusProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dead letters of the mesh for operators, newest first: where each lies, its reason and the start of its value.
 * A caller without the operator role gets 403, with nothing of them.
 */
@RestController
class DeadLettersController {

    private final DeadLetterBook book;
    private final StatusProperties properties;

    DeadLettersController(DeadLetterBook book, StatusProperties properties) {
        this.book = book;
        this.properties = properties;
    }

    @GetMapping("/api/dead-letters")
    DeadLetterBook.Page deadLetters(
            Caller caller,
            @RequestParam(required = false) String topic,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        if (!caller.operator()) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.FORBIDDEN,
                    "Dead letters hold every owner's messages: only callers with the operator role may list them");
            problem.setTitle("Operators only");
            throw new ErrorResponseException(HttpStatus.FORBIDDEN, problem, null);
        }
        int max = properties.maxLimit();
        int effective = limit == null ? properties.defaultLimit() : limit;
        if (effective < 1 || effective > max) {
            throw badRequest("Invalid limit", "limit must be between 1 and " + max + ", got " + limit, "limit", limit);
        }
        Long after = null;
        if (cursor != null && !cursor.isBlank()) {
            try {
                after = Long.parseLong(cursor.trim());
            } catch (NumberFormatException e) {
                throw badRequest(
                        "Invalid cursor",
                        "cursor must be a nextCursor this API returned, got '" + cursor + "'",
                        "cursor",
                        cursor);
            }
        }
        return book.list(topic == null || topic.isBlank() ? null : topic.trim(), after, effective);
    }

    private static ErrorResponseException badRequest(String title, String detail, String parameter, Object value) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle(title);
        problem.setProperty("parameter", parameter);
        problem.setProperty("value", value);
        return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
    }
}
