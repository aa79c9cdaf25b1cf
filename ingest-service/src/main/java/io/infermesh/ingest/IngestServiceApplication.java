package io.infermesh.ingest;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** ingest-service: the mesh's door for external events; bucket notifications become jobs. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class IngestServiceApplication {

    /**
     * The application with its own configuration file, {@code ingest-service.yml}: the four services share one
     * classpath in the local mesh, so none of them reads {@code application.yml}.
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(IngestServiceApplication.class)
                .properties("spring.config.name=ingest-service");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
