package io.infermesh.worker.cli;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Timings;
import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.ModelEntry;
import io.infermesh.worker.jobs.AttemptOutcome;
import io.infermesh.worker.jobs.JobRunner;
import io.infermesh.worker.storage.ObjectStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code predict}: the worker's engine on one input, from the command line, in the spirit of {@code deepaas-predict}.
 * Prints one JSON document on standard output — the answer (labels, probabilities, links, per-row answers for a
 * tabular batch), or {@code {"error": ..., "reason": ...}} — and exits 0 on success, 1 when the input or the model
 * failed, 2 on a usage error. Both ways run the job with the worker's one {@link JobRunner}, as the pool and the
 * Lambda handler do, so that a failure has the same reason everywhere (a run over the card's time limit is
 * {@code TIMEOUT}); its events sink is an {@link AttemptOutcome}, which becomes the printed document and exit code.
 *
 * <pre>
 * predict --model-name=digits --input-file=models/digits/samples/digit-3.png [--output-file=answer.json]
 *         [--content-type=image/png] [--url=https://...] [--models-dir=models]
 * predict --job-from-env     # in the AWS Batch container: the JobDispatched in INFERMESH_JOB, input and result in S3
 * </pre>
 */
public final class Predict {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> OPTIONS =
            Set.of("model-name", "input-file", "url", "output-file", "content-type", "models-dir");
    /** The flag of the AWS Batch container: the job is the {@link JobDispatched} in {@value JobDispatched#ENV_JOB}. */
    public static final String JOB_FROM_ENV = "--job-from-env";

    private Predict() {}

    public static void main(String[] args) {
        // Maven's exec:exec hands every option over as one argument ("-Dinfermesh.args=--a=1 --b=2"): split it before
        // each "--", so that values may still contain spaces
        List<String> options = args.length == 1 && args[0].contains(" --")
                ? List.of(args[0].trim().split("\\s+(?=--)"))
                : List.of(args);
        System.exit(run(options, System.getenv(), System.out));
    }

    /** Runs one prediction; returns the exit code. */
    public static int run(List<String> args, PrintStream out) {
        return run(args, Map.of(), out);
    }

    /**
     * Runs one prediction with this environment: with {@value #JOB_FROM_ENV} it runs the {@link JobDispatched} of
     * {@value JobDispatched#ENV_JOB} (the AWS Batch container), reading the input from and writing {@code result.json} to
     * S3 ({@code INFERMESH_S3_ENDPOINT}, {@code AWS_REGION}, {@code INFERMESH_S3_ACCESS_KEY}/{@code _SECRET_KEY} or
     * the AWS default chain, {@code INFERMESH_S3_PATH_STYLE}), and prints the {@code JobResult}.
     */
    public static int run(List<String> args, Map<String, String> env, PrintStream out) {
        if (args.contains(JOB_FROM_ENV)) {
            List<String> rest =
                    args.stream().filter(a -> !a.equals(JOB_FROM_ENV)).toList();
            return runJob(rest, env, out);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0 || !OPTIONS.contains(arg.substring(2, eq))) {
                return fail(
                        out,
                        2,
                        "USAGE",
                        "unknown argument '" + arg + "'; use --model-name=, --input-file= or "
                                + "--url=, and optionally --output-file=, --content-type=, --models-dir=");
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        String modelName = options.get("model-name");
        if (modelName == null || modelName.isBlank()) {
            return fail(out, 2, "USAGE", "--model-name is required");
        }
        if (options.containsKey("input-file") == options.containsKey("url")) {
            return fail(out, 2, "USAGE", "give exactly one of --input-file and --url");
        }
        Path modelsDir = Path.of(options.getOrDefault(
                "models-dir",
                Optional.ofNullable(System.getenv("INFERMESH_MODELS_DIR")).orElse("models")));
        WorkerModels models;
        try {
            models = WorkerModels.load(modelsDir, List.of());
        } catch (RuntimeException e) {
            return fail(out, 2, "USAGE", e.getMessage());
        }
        Optional<ModelEntry> model = models.find(modelName);
        String contentType = options.get("content-type");
        if (model.isPresent() && contentType != null) {
            String kind = String.valueOf(model.get().card().input().kind());
            if (!accepts(kind, contentType)) {
                return fail(
                        out,
                        1,
                        "INVALID_INPUT",
                        "model '" + modelName + "' takes " + kind + " input; " + contentType + " is not one");
            }
        }
        byte[] input;
        String source;
        try {
            if (options.containsKey("input-file")) {
                Path file = Path.of(options.get("input-file"));
                source = file.toString();
                input = Files.readAllBytes(file);
            } else {
                source = options.get("url");
                input = download(URI.create(source));
            }
        } catch (IOException | RuntimeException e) {
            return fail(out, 1, "INPUT_NOT_FOUND", "cannot read the input: " + e.getMessage());
        }
        Map<String, Object> written = new LinkedHashMap<>();
        AttemptOutcome outcome = new AttemptOutcome();
        try (InferenceEngine engine =
                new InferenceEngine(JSON, Runtime.getRuntime().availableProcessors())) {
            JobRunner.ResultWriter answer = (bucket, key, document) -> {
                written.putAll(document);
                return ObjectRef.of(bucket, key);
            };
            JobRunner.outsideThePool(models, engine, ref -> input, answer, outcome)
                    .runOnce(localJob(modelName, source));
        }
        if (outcome.succeeded().isEmpty()) {
            return fail(out, 1, outcome.reason().name(), outcome.message());
        }
        String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer(written, source, outcome));
        try {
            if (options.containsKey("output-file")) {
                Files.writeString(Path.of(options.get("output-file")), text);
            }
        } catch (IOException e) {
            return fail(out, 1, "INTERNAL_ERROR", "cannot write the output file: " + e.getMessage());
        }
        out.println(text);
        return 0;
    }

    /** The job {@code predict} runs on one input it has read: no store, no router, the answer printed. */
    private static JobDispatched localJob(String model, String source) {
        Instant now = Instant.now();
        return new JobDispatched(
                UUID.randomUUID().toString(),
                model,
                "predict",
                ObjectRef.of("predict", source),
                1,
                "predict on the command line",
                now,
                now,
                null,
                Backend.ONPREM,
                ObjectRef.of("predict", "result.json"),
                null);
    }

    /**
     * What {@code predict} prints: the model, the input as given, the answer as in {@code result.json} (without the
     * job's id, owner and time, which a command line has not), and the run's times.
     */
    private static Map<String, Object> answer(Map<String, Object> result, String source, AttemptOutcome outcome) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", result.get("model"));
        doc.put("modelVersion", result.get("modelVersion"));
        doc.put("input", source);
        result.forEach((field, value) -> {
            if (!List.of("jobId", "model", "modelVersion", "owner", "input", "completedAt")
                    .contains(field)) {
                doc.put(field, value);
            }
        });
        Timings timings = outcome.succeeded().map(JobStatusChanged::timings).orElseThrow();
        doc.put("inferenceMs", timings.inferenceMs());
        doc.put("modelLoadMs", timings.modelLoadMs());
        return doc;
    }

    private static int runJob(List<String> args, Map<String, String> env, PrintStream out) {
        String payload = env.get(JobDispatched.ENV_JOB);
        if (payload == null || payload.isBlank()) {
            return fail(
                    out,
                    2,
                    "USAGE",
                    JOB_FROM_ENV + " needs the job in the environment variable " + JobDispatched.ENV_JOB);
        }
        JobDispatched job;
        try {
            job = JSON.readValue(payload, JobDispatched.class);
        } catch (RuntimeException e) {
            return fail(out, 2, "USAGE", JobDispatched.ENV_JOB + " is not a JobDispatched: " + e.getMessage());
        }
        Optional<String> missing = JobRunner.missingFields(job);
        if (missing.isPresent()) {
            return fail(out, 2, "USAGE", JobDispatched.ENV_JOB + " lacks " + missing.get());
        }
        Path modelsDir = Path.of(args.stream()
                .filter(a -> a.startsWith("--models-dir="))
                .findFirst()
                .map(a -> a.substring("--models-dir=".length()))
                .orElse(env.getOrDefault("INFERMESH_MODELS_DIR", "models")));
        WorkerModels models;
        try {
            models = WorkerModels.load(modelsDir, List.of());
        } catch (RuntimeException e) {
            return fail(out, 2, "USAGE", e.getMessage());
        }
        AttemptOutcome outcome = new AttemptOutcome();
        try (ObjectStorage storage = new ObjectStorage(ObjectStorage.client(s3(env)));
                InferenceEngine engine =
                        new InferenceEngine(JSON, Runtime.getRuntime().availableProcessors())) {
            JobRunner.outsideThePool(
                            models, engine, storage::read, JobRunner.ResultWriter.stored(storage, JSON), outcome)
                    .runOnce(job);
        }
        Optional<JobResult> result = outcome.result();
        if (result.isEmpty()) {
            return fail(out, 1, outcome.reason().name(), outcome.message());
        }
        out.println(JSON.writeValueAsString(result.get()));
        return 0;
    }

    /** S3 as the environment says: {@code INFERMESH_S3_ENDPOINT} etc., else AWS with the default chain. */
    public static WorkerProperties.S3 s3(Map<String, String> env) {
        return new WorkerProperties.S3(
                env.get("INFERMESH_S3_ENDPOINT") == null
                                || env.get("INFERMESH_S3_ENDPOINT").isBlank()
                        ? null
                        : URI.create(env.get("INFERMESH_S3_ENDPOINT")),
                env.get("AWS_REGION"),
                env.get("INFERMESH_S3_ACCESS_KEY"),
                env.get("INFERMESH_S3_SECRET_KEY"),
                Boolean.parseBoolean(env.getOrDefault("INFERMESH_S3_PATH_STYLE", "false")));
    }

    private static boolean accepts(String kind, String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        return switch (kind) {
            case "image" -> type.startsWith("image/png") || type.startsWith("image/jpeg");
            case "tabular" -> type.startsWith("application/json") || type.startsWith("text/csv");
            default -> false;
        };
    }

    private static byte[] download(URI url) throws IOException {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IOException("--url must be http or https, got " + url);
        }
        try {
            HttpResponse<byte[]> response = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build()
                    .send(
                            HttpRequest.newBuilder(url)
                                    .timeout(Duration.ofSeconds(60))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException(url + " answered HTTP " + response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url, e);
        }
    }

    private static int fail(PrintStream out, int code, String reason, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error", message);
        error.put("reason", reason);
        out.println(JSON.writeValueAsString(error));
        return code;
    }
}
