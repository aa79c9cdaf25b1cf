package io.infermesh.worker;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.infermesh.identity.IdentityProvider;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.context.ApplicationContext;
import org.springframework.core.ResolvableType;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * The mesh's issuer for the worker's tests: one real OIDC provider ({@code identity-provider}), started at first use
 * and stopped with the JVM, shared by every test class that calls the worker over HTTP.
 */
public final class TestIssuer {

    private static IdentityProvider provider;

    private TestIssuer() {
    }

    /** The running provider. */
    public static synchronized IdentityProvider provider() {
        if (provider == null) {
            IdentityProvider started = IdentityProvider.start(0);
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "worker-tests-issuer-shutdown"));
            provider = started;
        }
        return provider;
    }

    /** The worker setting that makes it a resource server of this provider. */
    public static String issuerUriSetting() {
        return "spring.security.oauth2.resourceserver.jwt.issuer-uri=" + provider().issuer();
    }

    /**
     * A token of {@code subject} that this provider signed with its own key and that expired
     * {@code ago}: the provider issues tokens for at least a minute and resource servers allow a minute of clock skew,
     * so waiting for a real one to expire would cost two minutes of every run. The provider exposes no signing hook, so
     * its key is taken from its context.
     */
    public static String expiredToken(String subject, Duration ago) {
        Instant expired = Instant.now().minus(ago);
        JwtClaimsSet claims = JwtClaimsSet.builder().issuer(provider().issuer()).subject(subject)
                .audience(List.of("infermesh-cli")).claim("roles", List.of())
                .issuedAt(expired.minus(Duration.ofMinutes(10))).notBefore(expired.minus(Duration.ofMinutes(10)))
                .expiresAt(expired).build();
        return new NimbusJwtEncoder(signingKey()).encode(JwtEncoderParameters.from(
                JwsHeader.with(SignatureAlgorithm.RS256).build(), claims)).getTokenValue();
    }

    @SuppressWarnings("unchecked")
    private static JWKSource<SecurityContext> signingKey() {
        try {
            Field field = IdentityProvider.class.getDeclaredField("context");
            field.setAccessible(true);
            ApplicationContext context = (ApplicationContext) field.get(provider());
            String[] names = context.getBeanNamesForType(
                    ResolvableType.forClassWithGenerics(JWKSource.class, SecurityContext.class));
            return (JWKSource<SecurityContext>) context.getBean(names[0]);
        } catch (ReflectiveOperationException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalStateException("cannot reach the identity provider's signing key to make an expired "
                    + "token; has IdentityProvider changed?", e);
        }
    }
}
