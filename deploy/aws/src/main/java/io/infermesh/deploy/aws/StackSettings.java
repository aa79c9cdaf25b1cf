package io.infermesh.deploy.aws;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The names and sizes of the AWS side, each from CDK context ({@code cdk deploy -c key=value} or {@code cdk.json}'s
 * {@code context}) with a default that deploys as is. Checked here, before anything is built, so that a bad value is
 * one sentence naming the key instead of a CloudFormation failure half-way through a deployment.
 *
 * @param stackName the CloudFormation stack ({@code stackName}, default {@code infermesh})
 * @param bucketName the input/results bucket ({@code bucketName}; empty: CloudFormation makes a unique name)
 * @param inboxPrefix where uploads become jobs ({@code inboxPrefix}, {@code inbox/}, ingest-service's default)
 * @param resultsPrefix where the worker writes {@code result.json} ({@code resultsPrefix}, {@code results/})
 * @param notifications how uploads reach the ingest queue ({@code notifications}: {@code sqs}, S3's own notification,
 *     the default; or {@code eventbridge}, S3 → EventBridge → the queue)
 * @param queueName the ingest queue ({@code queueName}, {@code infermesh-ingest}); its dead-letter queue adds {@code -dlq}
 * @param functionName the Lambda function ({@code functionName}, {@code infermesh-worker})
 * @param functionAlias the alias the router invokes, the card's {@code qualifier} ({@code functionAlias}, {@code live});
 *     SnapStart applies to published versions only, so the router must not call {@code $LATEST}
 * @param lambdaMemoryMb the function's memory ({@code lambdaMemoryMb}, 2048; CPU share grows with it)
 * @param lambdaTimeoutSeconds the function's time-out ({@code lambdaTimeoutSeconds}, 900: Lambda's maximum, the limit
 *     the router's placement assumes)
 * @param lambdaArm64 {@code lambdaArchitecture=arm64} (Graviton) instead of the default {@code x86_64}; the artefact
 *     holds ONNX Runtime's libraries for both
 * @param lambdaRetryAttempts Lambda's own retries of a failed asynchronous invocation ({@code lambdaRetryAttempts}, 0:
 *     a failed job fails the same way again; the router re-dispatches where the card says, e.g. lambda-batch)
 * @param snapStart SnapStart on published versions ({@code snapStart}, true)
 * @param lambdaZip the Lambda artefact ({@code lambdaZip}, the zip Maven staged in {@code target/assets/})
 * @param cpuQueueName the Batch job queue on Fargate ({@code cpuQueueName}, {@code infermesh-cpu})
 * @param gpuQueueName the Batch job queue on EC2 GPU instances ({@code gpuQueueName}, {@code infermesh-gpu})
 * @param cpuJobDefinitionName ({@code cpuJobDefinitionName}, {@code infermesh-worker-cpu})
 * @param gpuJobDefinitionName ({@code gpuJobDefinitionName}, {@code infermesh-worker-gpu})
 * @param fargateMaxVcpus the Fargate environment's ceiling ({@code fargateMaxVcpus}, 16)
 * @param fargateSpot Fargate Spot instead of on-demand ({@code fargateSpot}, false)
 * @param gpuMaxVcpus the GPU environment's ceiling ({@code gpuMaxVcpus}, 16: four g4dn.xlarge); its floor is 0
 * @param gpuInstanceTypes the GPU instance types ({@code gpuInstanceTypes}, {@code g4dn.xlarge}; comma-separated)
 * @param jobVcpus a CPU job's vCPUs on Fargate ({@code jobVcpus}, 1)
 * @param jobMemoryMb a CPU job's memory on Fargate ({@code jobMemoryMb}, 2048)
 * @param gpuJobVcpus a GPU job's vCPUs ({@code gpuJobVcpus}, 4)
 * @param gpuJobMemoryMb a GPU job's memory ({@code gpuJobMemoryMb}, 14336: what a g4dn.xlarge's 16 GiB leaves after
 *     the ECS agent)
 * @param gpusPerJob GPUs of a GPU job ({@code gpusPerJob}, 1)
 * @param batchTimeoutSeconds a Batch job attempt's time-out ({@code batchTimeoutSeconds}, 3600)
 * @param batchImage the CPU job's image ({@code batchImage}, e.g. {@code 123456789012.dkr.ecr.…/infermesh-worker:1};
 *     empty: built by {@code cdk deploy} from {@code batchImageDir} and pushed to the CDK bootstrap's repository)
 * @param gpuImage the GPU job's image ({@code gpuImage}; empty: built by {@code cdk deploy} from {@code batchImageDir}'s
 *     {@code Dockerfile.gpu}: the CPU image's content on CUDA with ONNX Runtime's GPU build)
 * @param batchImageDir the Batch image's build context ({@code batchImageDir}, {@code target/batch-image}, staged by Maven)
 * @param maxAzs availability zones of the Batch VPC ({@code maxAzs}, 2)
 * @param logRetentionDays how long the function's and the jobs' logs are kept ({@code logRetentionDays}, 30)
 */
record StackSettings(
        String stackName,
        Optional<String> bucketName,
        String inboxPrefix,
        String resultsPrefix,
        Notifications notifications,
        String queueName,
        String functionName,
        String functionAlias,
        int lambdaMemoryMb,
        int lambdaTimeoutSeconds,
        boolean lambdaArm64,
        int lambdaRetryAttempts,
        boolean snapStart,
        Path lambdaZip,
        String cpuQueueName,
        String gpuQueueName,
        String cpuJobDefinitionName,
        String gpuJobDefinitionName,
        int fargateMaxVcpus,
        boolean fargateSpot,
        int gpuMaxVcpus,
        List<String> gpuInstanceTypes,
        double jobVcpus,
        int jobMemoryMb,
        int gpuJobVcpus,
        int gpuJobMemoryMb,
        int gpusPerJob,
        int batchTimeoutSeconds,
        Optional<String> batchImage,
        Optional<String> gpuImage,
        Path batchImageDir,
        int maxAzs,
        int logRetentionDays) {

    /** How uploads under the inbox reach the ingest queue. */
    enum Notifications {
        /** S3's event notification, straight to the queue (ingest reads S3's own record). */
        SQS,
        /** S3 → EventBridge ({@code Object Created}) → a rule → the queue (ingest reads the EventBridge event). */
        EVENTBRIDGE
    }

    /** The Lambda zip's name as worker-service builds it (the module's pom stages it under this name). */
    static final String LAMBDA_ZIP = "target/assets/worker-service-0.1.0-SNAPSHOT-lambda.zip";

    /** Settings from CDK context; {@code context} answers null for a key that is not set. */
    static StackSettings from(Function<String, Object> context) {
        Values v = new Values(context);
        StackSettings settings = new StackSettings(
                v.name("stackName", "infermesh"),
                v.optional("bucketName"),
                v.prefix("inboxPrefix", "inbox/"),
                v.prefix("resultsPrefix", "results/"),
                v.choice("notifications", Notifications.SQS, Notifications.class),
                v.name("queueName", "infermesh-ingest"),
                v.name("functionName", "infermesh-worker"),
                v.name("functionAlias", "live"),
                v.integer("lambdaMemoryMb", 2048, 128, 10240),
                v.integer("lambdaTimeoutSeconds", 900, 1, 900),
                v.architecture(),
                v.integer("lambdaRetryAttempts", 0, 0, 2),
                v.bool("snapStart", true),
                v.path("lambdaZip", LAMBDA_ZIP),
                v.name("cpuQueueName", "infermesh-cpu"),
                v.name("gpuQueueName", "infermesh-gpu"),
                v.name("cpuJobDefinitionName", "infermesh-worker-cpu"),
                v.name("gpuJobDefinitionName", "infermesh-worker-gpu"),
                v.integer("fargateMaxVcpus", 16, 1, 10000),
                v.bool("fargateSpot", false),
                v.integer("gpuMaxVcpus", 16, 1, 10000),
                v.list("gpuInstanceTypes", "g4dn.xlarge"),
                v.fargateVcpus(),
                v.integer("jobMemoryMb", 2048, 512, 122880),
                v.integer("gpuJobVcpus", 4, 1, 192),
                v.integer("gpuJobMemoryMb", 14336, 512, 1_572_864),
                v.integer("gpusPerJob", 1, 1, 16),
                v.integer("batchTimeoutSeconds", 3600, 60, 1_209_600),
                v.optional("batchImage"),
                v.optional("gpuImage"),
                v.path("batchImageDir", "target/batch-image"),
                v.integer("maxAzs", 2, 1, 6),
                v.integer("logRetentionDays", 30, 1, 3653));
        if (settings.inboxPrefix.startsWith(settings.resultsPrefix)
                || settings.resultsPrefix.startsWith(settings.inboxPrefix)) {
            throw new IllegalArgumentException("inboxPrefix '" + settings.inboxPrefix + "' and resultsPrefix '"
                    + settings.resultsPrefix + "' overlap: a result would become a job");
        }
        return settings;
    }

    /** The Lambda zip, checked: {@code cdk deploy} uploads it, so it must be built first. */
    Path requireLambdaZip() {
        if (!Files.isRegularFile(lambdaZip)) {
            throw new IllegalStateException("the Lambda artefact " + lambdaZip.toAbsolutePath()
                    + " is not there: build it with ./mvnw -pl deploy/aws -am package -DskipTests (from the"
                    + " repository's root), or give -c lambdaZip=PATH");
        }
        return lambdaZip;
    }

    /** The Batch image's build context, checked when no {@code batchImage} is given. */
    Path requireBatchImageDir() {
        if (!Files.isRegularFile(batchImageDir.resolve("Dockerfile"))) {
            throw new IllegalStateException("the Batch image's build context " + batchImageDir.toAbsolutePath()
                    + " has no Dockerfile: build it with ./mvnw -pl deploy/aws -am package -DskipTests, or give"
                    + " -c batchImage=URI of an image you pushed");
        }
        return batchImageDir;
    }

    /** Reads and checks one context value at a time; every error names its key. */
    private record Values(Function<String, Object> context) {

        private Optional<String> optional(String key) {
            return Optional.ofNullable(context.apply(key))
                    .map(String::valueOf)
                    .map(String::strip)
                    .filter(s -> !s.isEmpty());
        }

        private String text(String key, String fallback) {
            return optional(key).orElse(fallback);
        }

        /** An AWS resource name: letters, digits, '-' and '_' (the set every resource here accepts), 1–64 long. */
        String name(String key, String fallback) {
            String value = text(key, fallback);
            if (!value.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
                throw bad(key, value, "a name of letters, digits, '-' and '_', at most 64 characters");
            }
            return value;
        }

        String prefix(String key, String fallback) {
            String value = text(key, fallback);
            if (!value.matches("[a-z0-9][a-z0-9._-]*/")) {
                throw bad(
                        key,
                        value,
                        "a key prefix like 'inbox/': lower-case letters, digits, '.', '_', '-', ending in '/'");
            }
            return value;
        }

        int integer(String key, int fallback, int min, int max) {
            String value = text(key, String.valueOf(fallback));
            int n;
            try {
                n = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw bad(key, value, "a whole number from " + min + " to " + max);
            }
            if (n < min || n > max) {
                throw bad(key, value, "a whole number from " + min + " to " + max);
            }
            return n;
        }

        boolean bool(String key, boolean fallback) {
            String value = text(key, String.valueOf(fallback)).toLowerCase(Locale.ROOT);
            return switch (value) {
                case "true" -> true;
                case "false" -> false;
                default -> throw bad(key, value, "true or false");
            };
        }

        <E extends Enum<E>> E choice(String key, E fallback, Class<E> type) {
            String value = text(key, fallback.name());
            return Arrays.stream(type.getEnumConstants())
                    .filter(e -> e.name().equalsIgnoreCase(value))
                    .findFirst()
                    .orElseThrow(() -> bad(
                            key,
                            value,
                            "one of "
                                    + Arrays.stream(type.getEnumConstants())
                                            .map(e -> e.name().toLowerCase(Locale.ROOT))
                                            .toList()));
        }

        boolean architecture() {
            String value = text("lambdaArchitecture", "x86_64");
            return switch (value) {
                case "x86_64" -> false;
                case "arm64" -> true;
                default -> throw bad("lambdaArchitecture", value, "x86_64 or arm64");
            };
        }

        /** Fargate's vCPU sizes (its memory must then fit the size; Batch refuses the job definition otherwise). */
        double fargateVcpus() {
            String value = text("jobVcpus", "1");
            List<String> sizes = List.of("0.25", "0.5", "1", "2", "4", "8", "16");
            if (!sizes.contains(value)) {
                throw bad("jobVcpus", value, "one of Fargate's sizes " + sizes);
            }
            return Double.parseDouble(value);
        }

        List<String> list(String key, String fallback) {
            List<String> values = Arrays.stream(text(key, fallback).split(","))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
            for (String value : values) {
                if (!value.matches("[a-z0-9]+\\.[a-z0-9]+")) {
                    throw bad(key, value, "EC2 instance types like g4dn.xlarge, comma-separated");
                }
            }
            if (values.isEmpty()) {
                throw bad(key, "", "EC2 instance types like g4dn.xlarge, comma-separated");
            }
            return values;
        }

        Path path(String key, String fallback) {
            return Path.of(text(key, fallback));
        }

        private static IllegalArgumentException bad(String key, String value, String expected) {
            return new IllegalArgumentException(
                    "context '" + key + "' is '" + value + "'; it must be " + expected + " (cdk -c " + key + "=...)");
        }
    }
}
