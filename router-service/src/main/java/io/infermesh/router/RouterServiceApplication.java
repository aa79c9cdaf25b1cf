package io.infermesh.router;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** router-service: the model catalogue and placement of every job. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RouterServiceApplication {

    /** The application with its own configuration file, {@code router-service.yml}. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(RouterServiceApplication.class)
                .properties("spring.config.name=router-service");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
