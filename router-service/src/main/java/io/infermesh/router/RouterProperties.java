package io.infermesh.router;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * router-service configuration, prefix {@code infermesh.router}.
 *
 * @param modelsDir the model catalogue: a folder holding one sub-folder per model, each with its {@code model.yaml}
 *     (default {@code models}, the example models of the repository when started from its root)
 */
@Validated
@ConfigurationProperties("infermesh.router")
public record RouterProperties(@NotNull Path modelsDir) {

    public RouterProperties {
        modelsDir = modelsDir == null ? Path.of("models") : modelsDir;
    }
}
