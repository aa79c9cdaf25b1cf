package io.infermesh.identity;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The local mesh's OpenID Connect provider: Spring Authorization Server with the users and clients of
 * {@link IdentityProperties}. A development and test part, never a production IdP (users live in memory, the
 * signing key is made at start).
 */
@SpringBootApplication(
        excludeName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"
        })
@ConfigurationPropertiesScan
public class IdentityProviderApplication {

    /** The application with its own configuration file, {@code identity-provider.yml} (the mesh shares a classpath). */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(IdentityProviderApplication.class)
                .properties("spring.config.name=identity-provider");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
