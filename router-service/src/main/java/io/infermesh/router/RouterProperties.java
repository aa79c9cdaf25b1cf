package io.infermesh.router;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * router-service configuration, prefix {@code infermesh.router}.
 *
 * @param modelsDir the model catalogue: a folder holding one sub-folder per model, each with its {@code model.yaml}
 *     (default {@code models}, the example models of the repository when started from its root)
 * @param recentJobs how many recently placed job ids the router remembers to drop duplicate requests
 *     (default 100000, a few MB)
 */
@Validated
@ConfigurationProperties("infermesh.router")
public record RouterProperties(@NotBlank String modelsDir, @Min(0) int recentJobs) {

    public RouterProperties {
        modelsDir = modelsDir == null || modelsDir.isBlank() ? "models" : modelsDir;
        recentJobs = recentJobs == 0 ? 100_000 : recentJobs;
    }

    /** The models folder; relative paths resolve against the working directory. (Bound as text: Spring's
     *  Path conversion rejects relative paths such as {@code ../models}.) */
    public Path modelsPath() {
        return Path.of(modelsDir);
    }
}
