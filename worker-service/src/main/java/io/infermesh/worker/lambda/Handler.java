package io.infermesh.worker.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.cli.Predict;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.jobs.AttemptOutcome;
import io.infermesh.worker.jobs.JobRunner;
import io.infermesh.worker.storage.ObjectStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 */
public final class Handler implements RequestStreamHandler {

    private static final JsonMapper JSON = JsonMapper.builder().build();

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
