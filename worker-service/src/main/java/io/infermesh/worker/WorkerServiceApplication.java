package io.infermesh.worker;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** worker-service: runs dispatched jobs with ONNX Runtime, one pool of workers per model it serves. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkerServiceApplication {

    /** The application with its own configuration file, {@code worker-service.yml}. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(WorkerServiceApplication.class)
                .properties("spring.config.name=worker-service");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
