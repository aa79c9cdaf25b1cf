package io.infermesh.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Remembers the tokens its delegate accepted until they expire, so that a client calling again with the same token
 * (a gateway relaying a person's session, a machine client between renewals) is not parsed and signature-checked on
 * every request — that was about a sixth of status-service's request CPU (JFR, {@code status-bench}).
 *
 * <p>Only accepted tokens are remembered, keyed by the whole token text, and only until their {@code exp} (without the
 * delegate's clock-skew allowance, so never longer than it would accept them). A refused token is asked about again
 * every time. At most {@code capacity} tokens are held; when full, the remembered ones are forgotten at once, which
 * costs one decode each.
 */
final class CachingJwtDecoder implements JwtDecoder {

    private final JwtDecoder delegate;
    private final int capacity;
    private final Clock clock;
    private final Map<String, Jwt> accepted = new ConcurrentHashMap<>();

    CachingJwtDecoder(JwtDecoder delegate, int capacity, Clock clock) {
        this.delegate = delegate;
        this.capacity = capacity;
        this.clock = clock;
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        Jwt known = accepted.get(token);
        Instant now = clock.instant();
        if (known != null) {
            if (known.getExpiresAt() != null && now.isBefore(known.getExpiresAt())) {
                return known;
            }
            accepted.remove(token);
        }
        Jwt jwt = delegate.decode(token);
        if (jwt.getExpiresAt() != null && now.isBefore(jwt.getExpiresAt())) {
            if (accepted.size() >= capacity) {
                accepted.clear();
            }
            accepted.put(token, jwt);
        }
        return jwt;
    }

    /** How many accepted tokens are remembered now. */
    int size() {
        return accepted.size();
    }
}
