package io.infermesh.gateway;

import io.infermesh.identity.DemoAccounts;
import io.infermesh.identity.IdentityProvider;
import io.infermesh.localinfra.LocalS3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway context as the local mesh starts it, against a real identity provider and the real local S3 endpoint,
 * with a models folder of its own: {@code digits} (the real card and samples, placement {@code onprem}) and
 * {@code digits-anywhere} (the same card with placement {@code auto} and a Lambda function, so that a person has
 * placements to choose from).
 */
final class GatewayFixture implements AutoCloseable {

    static final String BUCKET = "infermesh";

    final IdentityProvider provider;
    final LocalS3 s3;
    final ConfigurableApplicationContext context;
    final String url;
    final Path models;

    private GatewayFixture(IdentityProvider provider, LocalS3 s3, ConfigurableApplicationContext context, Path models) {
        this.provider = provider;
        this.s3 = s3;
        this.context = context;
        this.models = models;
        this.url = "http://127.0.0.1:"
                + ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static GatewayFixture start(LocalS3 s3, String statusUrl) {
        return start(s3, statusUrl, Map.of());
    }

    /** A gateway with these properties besides (or instead of) the local mesh's. */
    static GatewayFixture start(LocalS3 s3, String statusUrl, Map<String, Object> more) {
        s3.createBucket(BUCKET);
        Path models = models();
        IdentityProvider provider = IdentityProvider.start(0);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("server.port", 0);
        properties.put("server.address", "127.0.0.1");
        properties.put("management.server.port", 0);
        properties.put("management.server.address", "127.0.0.1");
        properties.put("spring.main.banner-mode", "off");
        properties.put("spring.security.oauth2.resourceserver.jwt.issuer-uri", provider.issuer());
        properties.put("spring.security.oauth2.client.provider.infermesh.issuer-uri", provider.issuer());
        properties.put("spring.security.oauth2.client.registration.infermesh.client-id", DemoAccounts.GATEWAY_CLIENT);
        properties.put(
                "spring.security.oauth2.client.registration.infermesh.client-secret",
                provider.accounts().gatewaySecret());
        properties.put("infermesh.gateway.bucket", BUCKET);
        properties.put("infermesh.gateway.models-dir", models.toString());
        properties.put("infermesh.gateway.status-url", statusUrl);
        properties.put("infermesh.gateway.s3.endpoint", s3.endpoint().toString());
        properties.put("infermesh.gateway.s3.access-key", s3.accessKey());
        properties.put("infermesh.gateway.s3.secret-key", s3.secretKey());
        properties.put("infermesh.gateway.s3.region", s3.region());
        properties.put("infermesh.gateway.s3.path-style", true);
        properties.putAll(more);
        String[] args = properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        try {
            ConfigurableApplicationContext context = GatewayServiceApplication.builder()
                    .registerShutdownHook(false)
                    .run(args);
            return new GatewayFixture(provider, s3, context, models);
        } catch (RuntimeException e) {
            provider.close();
            throw e;
        }
    }

    /** A browser signed in as a demo user. */
    Browser signIn(String username) {
        return new Browser(url).signIn(username, provider.accounts().password(username));
    }

    private static Path models() {
        try {
            Path dir = Files.createTempDirectory("gateway-models-");
            Path digits = Files.createDirectories(dir.resolve("digits"));
            Path real = Path.of("..", "models", "digits");
            Files.copy(real.resolve("model.yaml"), digits.resolve("model.yaml"));
            Path samples = Files.createDirectories(digits.resolve("samples"));
            for (String sample : new String[] {"digit-0.png", "digit-3.png", "expected.json"}) {
                Files.copy(real.resolve("samples").resolve(sample), samples.resolve(sample));
            }
            Path anywhere = Files.createDirectories(dir.resolve("digits-anywhere"));
            String card = Files.readString(real.resolve("model.yaml"))
                    .replace("name: digits", "name: digits-anywhere")
                    .replace(
                            "  mode: onprem",
                            "  mode: auto\n  deadlineSeconds: 60\n  lambda:\n" + "    functionName: infermesh-digits");
            Files.writeString(anywhere.resolve("model.yaml"), card);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            context.close();
        } finally {
            provider.close();
            try (var files = Files.walk(models)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a temporary folder
            }
        }
    }
}
