package io.infermesh.worker;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * worker-service configuration, prefix {@code infermesh.worker}.
 *
 * @param modelsDir folder with one sub-folder per model, each with {@code model.yaml} and its ONNX artefact
 *     (default {@code models})
 * @param models the models this worker serves; empty means every card in {@code modelsDir}. The worker consumes
 *     {@code infermesh.jobs.dispatch.<model>} for each.
 * @param resultsBucket bucket for results; empty means the input's own bucket
 * @param resultsPrefix key prefix for results, {@code results/} by default: {@code <prefix><model>/<owner>/<jobId>/result.json}
 * @param intraOpThreads ONNX Runtime threads per run (default 1, so concurrent jobs share few cores well)
 * @param s3 how to reach the object store
 */
@Validated
@ConfigurationProperties("infermesh.worker")
public record WorkerProperties(@NotBlank String modelsDir, List<String> models, String resultsBucket,
        String resultsPrefix, @Min(1) int intraOpThreads, @Valid S3 s3) {

    public WorkerProperties {
        modelsDir = modelsDir == null || modelsDir.isBlank() ? "models" : modelsDir;
        models = models == null ? List.of() : models.stream().map(String::trim).filter(m -> !m.isEmpty()).toList();
        resultsBucket = resultsBucket == null ? "" : resultsBucket;
        resultsPrefix = resultsPrefix == null ? "results/" : resultsPrefix;
        intraOpThreads = intraOpThreads == 0 ? 1 : intraOpThreads;
        s3 = s3 == null ? new S3(null, null, null, null, false) : s3;
    }

    /**
     * The object store.
     *
     * @param endpoint S3 endpoint; empty for AWS S3 itself
     * @param region the region (default {@code us-east-1})
     * @param accessKey static access key; empty to use the AWS default credentials chain
     * @param secretKey static secret key
     * @param pathStyle path-style addressing (MinIO, S3Proxy and moto need it)
     */
    public record S3(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle) {
        public S3 {
            region = region == null || region.isEmpty() ? "us-east-1" : region;
        }
    }

    /** The models folder; relative paths resolve against the working directory. (Bound as text: Spring's
     *  Path conversion rejects relative paths such as {@code ../models}.) */
    public Path modelsPath() {
        return Path.of(modelsDir);
    }
}
