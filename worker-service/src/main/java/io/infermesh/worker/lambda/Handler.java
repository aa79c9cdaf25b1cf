package io.infermesh.worker.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.cli.Predict;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.ModelEntry;
import io.infermesh.worker.jobs.AttemptOutcome;
import io.infermesh.worker.jobs.JobRunner;
import io.infermesh.worker.storage.ObjectStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine as an AWS Lambda function ({@code io.infermesh.worker.lambda.Handler::handleRequest}): the router's
 * asynchronous invocation carries a {@link JobDispatched}, which the worker's one {@link JobRunner} runs as the pool
 * would — input from S3, {@code result.json} where the job says — with an {@link AttemptOutcome} as its events sink.
 * The handler returns the {@link JobResult}, which Lambda's on-success destination hands to ingest-service; a job
 * that FAILED is thrown as a {@link JobFailedException}, whose message starts with the failure reason ({@code
 * "INVALID_INPUT: ..."}) that ingest-service reads from the on-failure record. Models come from {@code
 * INFERMESH_MODELS_DIR} (default {@code /var/task/models}); S3 as for {@code predict --job-from-env}. The engine and
 * its sessions live as long as the execution environment, so warm invocations skip the model load.
 *
 * <p>The constructor loads and warms up the models named by {@code INFERMESH_PRELOAD_MODELS} ({@code all}, the
 * default; {@code none}; or names separated by commas): it runs in Lambda's init phase, which SnapStart snapshots
 * once per published version, so a restored environment starts with its sessions ready and no invocation pays a
 * model load. A model that fails to load is logged and left to fail its jobs with its reason; a name the function
 * does not serve stops the init with a sentence.
 */
public final class Handler implements RequestStreamHandler {

    /** Which models the constructor loads: {@code all}, {@code none} or names separated by commas. */
    public static final String PRELOAD = "INFERMESH_PRELOAD_MODELS";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Logger log = LoggerFactory.getLogger(Handler.class);

    private final WorkerModels models;
    private final InferenceEngine engine;
    private final ObjectStorage storage;

    /** The Lambda runtime's constructor: configuration from the environment. */
    public Handler() {
        this(System.getenv());
    }

    /** A handler configured by {@code env} (tests). */
    public Handler(Map<String, String> env) {
        this.models =
                WorkerModels.load(Path.of(env.getOrDefault("INFERMESH_MODELS_DIR", "/var/task/models")), List.of());
        this.engine = new InferenceEngine(JSON, Runtime.getRuntime().availableProcessors());
        this.storage = new ObjectStorage(ObjectStorage.client(Predict.s3(env)));
        preload(env.getOrDefault(PRELOAD, "all"));
    }

    private void preload(String which) {
        List<String> names = switch (which.trim()) {
            case "all" -> models.names();
            case "none", "" -> List.of();
            default ->
                Arrays.stream(which.split(","))
                        .map(String::trim)
                        .filter(n -> !n.isEmpty())
                        .toList();
        };
        for (String name : names) {
            ModelEntry model = models.find(name)
                    .orElseThrow(() -> new IllegalArgumentException(PRELOAD + " names model '" + name
                            + "', which this function does not serve (it serves " + models.names() + ")"));
            try {
                engine.load(model);
            } catch (RuntimeException e) {
                log.warn(
                        "model '{}' could not be loaded at init; its jobs will fail with the reason: {}",
                        name,
                        e.toString());
            }
        }
    }

    /**
     * @throws JobFailedException when the job FAILED, with the reason first in the message
     */
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JobDispatched job = JSON.readValue(input, JobDispatched.class);
        var missing = JobRunner.missingFields(job);
        if (missing.isPresent()) {
            throw new JobFailedException(FailureReason.INTERNAL_ERROR, "the job lacks " + missing.get() + ": " + job);
        }
        AttemptOutcome outcome = new AttemptOutcome();
        JobRunner.outsideThePool(models, engine, storage::read, JobRunner.ResultWriter.stored(storage, JSON), outcome)
                .runOnce(job);
        JobResult result =
                outcome.result().orElseThrow(() -> new JobFailedException(outcome.reason(), outcome.message()));
        output.write(JSON.writeValueAsBytes(result));
    }
}
