package io.infermesh.worker;

import io.infermesh.identity.IdentityProvider;
import java.time.Duration;

/**
 * The mesh's issuer for the worker's tests: one real OIDC provider ({@code identity-provider}), started at first use
 * and stopped with the JVM, shared by every test class that calls the worker over HTTP.
 */
public final class TestIssuer {

    private static IdentityProvider provider;

    private TestIssuer() {}

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
        return "spring.security.oauth2.resourceserver.jwt.issuer-uri="
                + provider().issuer();
    }

    /** A token of {@code subject} signed with the provider's key that expired {@code ago}. */
    public static String expiredToken(String subject, Duration ago) {
        return provider().expiredToken(subject, ago);
    }
}
