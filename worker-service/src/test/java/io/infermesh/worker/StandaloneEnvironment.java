package io.infermesh.worker;

import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import java.nio.file.Path;
import java.util.Map;

/**
 * The environment the worker's paths outside the pool read (the Lambda handler, {@code predict --job-from-env}):
 * models from {@code models}, S3 the test's local S3 endpoint with its credentials.
 */
public final class StandaloneEnvironment {

    private StandaloneEnvironment() {}

    public static Map<String, String> of(Path models) {
        LocalInfra infra = LocalInfraExtension.infra();
        return Map.of(
                "INFERMESH_MODELS_DIR",
                models.toString(),
                "INFERMESH_S3_ENDPOINT",
                infra.s3().endpoint().toString(),
                "INFERMESH_S3_ACCESS_KEY",
                infra.s3().accessKey(),
                "INFERMESH_S3_SECRET_KEY",
                infra.s3().secretKey(),
                "INFERMESH_S3_PATH_STYLE",
                "true",
                "AWS_REGION",
                infra.s3().region());
    }
}
