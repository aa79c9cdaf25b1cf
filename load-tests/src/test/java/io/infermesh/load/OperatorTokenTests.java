package io.infermesh.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.identity.DemoAccounts;
import io.infermesh.identity.IdentityProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The harness's operator token, from the real local provider (tokens live ten minutes there). */
class OperatorTokenTests {

    static IdentityProvider provider;

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    final InstantSource clock = now::get;

    @BeforeAll
    static void start() {
        provider = IdentityProvider.start(0);
    }

    @AfterAll
    static void stop() {
        provider.close();
    }

    @Test
    void theTokenIsTheOperatorClientsAndIsReusedUntilLessThanAMinuteIsLeft() {
        OperatorToken token = new OperatorToken(
                URI.create(provider.issuer()),
                DemoAccounts.OPERATOR_CLIENT,
                provider.accounts().operatorClientSecret(),
                clock);

        String first = token.authorization();
        JsonNode claims = claims(first);
        assertThat(claims.path("iss").asString()).isEqualTo(provider.issuer());
        assertThat(claims.path("sub").asString()).isEqualTo(DemoAccounts.OPERATOR_CLIENT);
        assertThat(claims.path("roles").values()).extracting(JsonNode::asString).containsExactly("operator");
        assertThat(Duration.ofSeconds(
                        claims.path("exp").asLong() - claims.path("iat").asLong()))
                .isEqualTo(Duration.ofMinutes(10));

        Instant fetched = now.get();
        now.set(fetched.plus(Duration.ofMinutes(8)).plusSeconds(30));
        assertThat(token.authorization()).as("eight and a half minutes later").isEqualTo(first);

        now.set(fetched.plus(Duration.ofMinutes(9)).plusSeconds(1));
        String renewed = token.authorization();
        assertThat(renewed)
                .as("nine minutes later, less than a minute before it expires")
                .isNotEqualTo(first);
        assertThat(claims(renewed).path("sub").asString()).isEqualTo(DemoAccounts.OPERATOR_CLIENT);
    }

    @Test
    void aWrongSecretIsRefusedWithTheTokenEndpointsAnswer() {
        OperatorToken token =
                new OperatorToken(URI.create(provider.issuer()), DemoAccounts.OPERATOR_CLIENT, "guess", clock);

        assertThatThrownBy(token::authorization)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the token endpoint " + provider.issuer() + "/oauth2/token refused client "
                        + DemoAccounts.OPERATOR_CLIENT + " (401")
                .hasMessageContaining("use the one its banner shows now");
    }

    @Test
    void anAddressThatIsNoIssuerIsNamed() {
        OperatorToken token = new OperatorToken(
                URI.create(provider.issuer() + "/not-an-issuer"),
                DemoAccounts.OPERATOR_CLIENT,
                provider.accounts().operatorClientSecret(),
                clock);

        assertThatThrownBy(token::authorization)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(provider.issuer() + "/not-an-issuer/.well-known/openid-configuration answered")
                .hasMessageContaining("is " + provider.issuer() + "/not-an-issuer the mesh's issuer?");
    }

    private static JsonNode claims(String authorization) {
        assertThat(authorization).startsWith("Bearer ");
        String jwt = authorization.substring("Bearer ".length());
        return JsonMapper.builder()
                .build()
                .readTree(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }
}
