package io.infermesh.identity;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ResolvableType;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * A running local identity provider with the {@link DemoAccounts}: started by the local mesh and by every test that
 * needs real tokens. Its issuer is {@code http://127.0.0.1:<port>}; point resource servers at it with
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}.
 */
public final class IdentityProvider implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final DemoAccounts accounts;
    private final String issuer;

    private IdentityProvider(ConfigurableApplicationContext context, DemoAccounts accounts) {
        this.context = context;
        this.accounts = accounts;
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.issuer = "http://127.0.0.1:" + port;
    }

    /** Starts a provider on {@code port} (0: any free port) with fresh demo accounts. */
    public static IdentityProvider start(int port) {
        return start(port, DemoAccounts.generate());
    }

    /** Starts a provider on {@code port} (0: any free port) with these accounts. */
    public static IdentityProvider start(int port, DemoAccounts accounts) {
        List<String> args = new ArrayList<>();
        args.add("--server.port=" + port);
        args.add("--server.address=127.0.0.1");
        args.add("--spring.main.banner-mode=off");
        args.add("--logging.include-application-name=false");
        IdentityProperties properties = accounts.properties();
        for (int i = 0; i < properties.users().size(); i++) {
            IdentityProperties.User user = properties.users().get(i);
            args.add("--infermesh.identity.users[" + i + "].username=" + user.username());
            args.add("--infermesh.identity.users[" + i + "].password=" + user.password());
            args.add("--infermesh.identity.users[" + i + "].roles=" + String.join(",", user.roles()));
        }
        for (int i = 0; i < properties.clients().size(); i++) {
            IdentityProperties.Client client = properties.clients().get(i);
            args.add("--infermesh.identity.clients[" + i + "].client-id=" + client.clientId());
            args.add("--infermesh.identity.clients[" + i + "].secret=" + client.secret());
            args.add(
                    "--infermesh.identity.clients[" + i + "].redirect-uris=" + String.join(",", client.redirectUris()));
            args.add("--infermesh.identity.clients[" + i + "].roles=" + String.join(",", client.roles()));
        }
        ConfigurableApplicationContext context = IdentityProviderApplication.builder()
                .registerShutdownHook(false)
                .run(args.toArray(String[]::new));
        return new IdentityProvider(context, accounts);
    }

    /** The issuer URI, e.g. {@code http://127.0.0.1:9090}. */
    public String issuer() {
        return issuer;
    }

    public DemoAccounts accounts() {
        return accounts;
    }

    /** A token client for this provider. */
    public Tokens tokens() {
        return new Tokens(issuer);
    }

    /** An access token of a demo user, got by logging them in (authorization code with PKCE). */
    public String userToken(String username) {
        return tokens().login(
                        username,
                        accounts.password(username),
                        DemoAccounts.TEST_CLIENT,
                        accounts.testClientSecret(),
                        DemoAccounts.TEST_REDIRECT);
    }

    /** An access token of the operator machine client (client credentials; role {@code operator}). */
    public String operatorToken() {
        return tokens().clientCredentials(DemoAccounts.OPERATOR_CLIENT, accounts.operatorClientSecret());
    }

    /**
     * A token of {@code subject} signed with this provider's own key that expired {@code ago}, for tests of the
     * refusal of expired tokens: the provider issues tokens for at least a minute and resource servers allow a minute
     * of clock skew, so waiting for a real one to expire would cost two minutes.
     */
    public String expiredToken(String subject, Duration ago) {
        Instant expired = Instant.now().minus(ago);
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer(issuer)
                .subject(subject)
                .audience(List.of(DemoAccounts.TEST_CLIENT))
                .claim("roles", List.of())
                .issuedAt(expired.minus(Duration.ofMinutes(10)))
                .notBefore(expired.minus(Duration.ofMinutes(10)))
                .expiresAt(expired)
                .build();
        @SuppressWarnings("unchecked")
        JWKSource<SecurityContext> keys = (JWKSource<SecurityContext>)
                context.getBeanProvider(ResolvableType.forClassWithGenerics(JWKSource.class, SecurityContext.class))
                        .getObject();
        return new NimbusJwtEncoder(keys)
                .encode(JwtEncoderParameters.from(
                        JwsHeader.with(SignatureAlgorithm.RS256).build(), claims))
                .getTokenValue();
    }

    /** The properties that make a service a resource server of this provider. */
    public Map<String, Object> resourceServerProperties() {
        return Map.of("spring.security.oauth2.resourceserver.jwt.issuer-uri", issuer);
    }

    @Override
    public void close() {
        context.close();
    }
}
