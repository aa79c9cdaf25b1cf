package io.infermesh.status;

import io.infermesh.security.Caller;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Whose jobs a list, a statistic or the live stream is about (ADR 0014). */
public final class OwnerScope {

    private OwnerScope() {}

    /**
     * The caller's own jobs unless they are an operator, who may name any owner, or none for everyone's (null).
     * A caller who is not an operator and names another owner gets a 403 problem saying whose jobs they can see.
     *
     * @param owner the {@code owner} parameter of the request, or null
     */
    public static String of(Caller caller, String owner) {
        String named = owner == null || owner.isBlank() ? null : owner.trim();
        if (caller.operator()) {
            return named;
        }
        if (named != null && !named.equals(caller.owner())) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.FORBIDDEN,
                    "You can see only your own " + "jobs (owner '" + caller.owner()
                            + "'); leave owner out, or name yourself");
            problem.setTitle("Another owner's jobs");
            problem.setProperty("parameter", "owner");
            problem.setProperty("value", owner);
            throw new ErrorResponseException(HttpStatus.FORBIDDEN, problem, null);
        }
        return caller.owner();
    }
}
