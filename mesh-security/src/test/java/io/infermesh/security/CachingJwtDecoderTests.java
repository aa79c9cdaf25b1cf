package io.infermesh.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** A token is decoded once while it is valid; a refused one every time; an expired one never from memory. */
class CachingJwtDecoderTests {

    private static final Instant NOW = Instant.parse("2026-12-03T18:00:00Z");

    private final List<String> asked = new ArrayList<>();
    private final JwtDecoder delegate = token -> {
        asked.add(token);
        if (token.startsWith("bad")) {
            throw new BadJwtException("signature does not match");
        }
        return Jwt.withTokenValue(token)
                .header("alg", "RS256")
                .subject(token)
                .issuedAt(NOW.minusSeconds(60))
                .expiresAt(NOW.plus(Duration.ofMinutes(10)))
                .build();
    };

    private final MutableClock clock = new MutableClock(NOW);

    @Test
    void anAcceptedTokenIsDecodedOnceUntilItExpires() {
        CachingJwtDecoder decoder = new CachingJwtDecoder(delegate, 100, clock);
        Jwt first = decoder.decode("alice-token");
        Jwt again = decoder.decode("alice-token");
        assertThat(again).isSameAs(first);
        assertThat(asked).containsExactly("alice-token");

        clock.now = NOW.plus(Duration.ofMinutes(10));
        decoder.decode("alice-token");
        assertThat(asked).as("at its expiry the token is asked about again").hasSize(2);
    }

    @Test
    void aRefusedTokenIsAskedAboutEveryTimeAndNeverRemembered() {
        CachingJwtDecoder decoder = new CachingJwtDecoder(delegate, 100, clock);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> decoder.decode("bad-token"))
                    .isInstanceOf(BadJwtException.class)
                    .hasMessage("signature does not match");
        }
        assertThat(asked).hasSize(3);
        assertThat(decoder.size()).isZero();
    }

    @Test
    void aFullMemoryForgetsAndKeepsAnswering() {
        CachingJwtDecoder decoder = new CachingJwtDecoder(delegate, 2, clock);
        decoder.decode("a");
        decoder.decode("b");
        decoder.decode("c");
        assertThat(decoder.size()).isLessThanOrEqualTo(2);
        assertThat(decoder.decode("a").getSubject()).isEqualTo("a");
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
