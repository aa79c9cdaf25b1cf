package io.infermesh.gateway;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * gateway-service: the web front door of the mesh (seed 000's gateway), a backend-for-frontend that logs people in
 * with OpenID Connect, keeps their tokens on the server, and serves the web application.
 */
@SpringBootApplication(
        excludeName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"
        })
@ConfigurationPropertiesScan
public class GatewayServiceApplication {

    /** The application with its own configuration file, {@code gateway-service.yml} (the mesh shares a classpath). */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(GatewayServiceApplication.class)
                .properties("spring.config.name=gateway-service");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
