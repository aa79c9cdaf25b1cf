package io.infermesh.status;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * status-service: projects every job's lifecycle events from {@code infermesh.jobs.lifecycle} into PostgreSQL and
 * serves the result over REST ({@code /api/jobs}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class StatusServiceApplication {

    /**
     * The application with its own configuration file, {@code status-service.yml}, so that it can share one
     * classpath (and one JVM) with the other services in the local mesh.
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(StatusServiceApplication.class)
                .properties("spring.config.name=status-service");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
