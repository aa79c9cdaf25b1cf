package io.infermesh.worker;

import io.infermesh.contracts.Topics;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/** worker-service: runs dispatched jobs with ONNX Runtime. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkerServiceApplication {

    static final String DISPATCH_BINDING = "spring.cloud.stream.bindings.runJob-in-0.destination";

    /**
     * The application with its own configuration file, {@code worker-service.yml}, consuming the dispatch topic of
     * each model it serves (derived from the model folder unless the binding's destination is set explicitly).
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(WorkerServiceApplication.class)
                .properties("spring.config.name=worker-service")
                .listeners((ApplicationListener<ApplicationEnvironmentPreparedEvent>) event -> subscribeToModels(
                        event.getEnvironment()));
    }

    public static void main(String[] args) {
        builder().run(args);
    }

    static void subscribeToModels(ConfigurableEnvironment environment) {
        if (environment.containsProperty(DISPATCH_BINDING)) {
            return;
        }
        Path dir = Path.of(environment.getProperty("infermesh.worker.models-dir", "models"));
        String only = environment.getProperty("infermesh.worker.models", "");
        List<String> models = only.isBlank() ? cardFolders(dir)
                : Arrays.stream(only.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (models.isEmpty()) {
            throw new IllegalStateException("worker-service has no model to serve: no model.yaml under "
                    + dir.toAbsolutePath() + " (set infermesh.worker.models-dir)");
        }
        String topics = models.stream().map(m -> Topics.dispatch(m).name()).collect(Collectors.joining(","));
        environment.getPropertySources().addFirst(new MapPropertySource("infermeshDispatchTopics",
                Map.of(DISPATCH_BINDING, topics)));
    }

    private static List<String> cardFolders(Path dir) {
        try (var folders = java.nio.file.Files.list(dir)) {
            return folders.filter(f -> java.nio.file.Files.isRegularFile(f.resolve("model.yaml")))
                    .map(f -> f.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot list models folder " + dir.toAbsolutePath(), e);
        }
    }
}
