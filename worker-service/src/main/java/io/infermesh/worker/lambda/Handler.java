package io.infermesh.worker.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.RemoteJob;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.cli.Predict;
import io.infermesh.worker.cli.RemoteJobRunner;
import io.infermesh.worker.engine.InferenceEngine;
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
 * asynchronous invocation carries a {@link RemoteJob}; the handler reads its input from S3, writes
 * {@code result.json} where the job says and returns the {@link JobResult}, which Lambda's on-success destination
 * hands to ingest-service. A job that cannot be done throws {@link RemoteJobRunner.JobFailedException}, whose message
 * starts with the failure reason ({@code "INVALID_INPUT: ..."}) that ingest-service reads from the on-failure record.
 * Models come from {@code INFERMESH_MODELS_DIR} (default {@code /var/task/models}); S3 as for {@code predict
 * --job-from-env}. The engine and its sessions live as long as the execution environment, so warm invocations skip
 * the model load.
 */
public final class Handler implements RequestStreamHandler {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RemoteJobRunner runner;

    /** The Lambda runtime's constructor: configuration from the environment. */
    public Handler() {
        this(System.getenv());
    }

    /** A handler configured by {@code env} (tests). */
    public Handler(Map<String, String> env) {
        WorkerModels models =
                WorkerModels.load(Path.of(env.getOrDefault("INFERMESH_MODELS_DIR", "/var/task/models")), List.of());
        this.runner = new RemoteJobRunner(
                models,
                new InferenceEngine(JSON, Runtime.getRuntime().availableProcessors()),
                new ObjectStorage(ObjectStorage.client(Predict.s3(env))));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        RemoteJob job = JSON.readValue(input, RemoteJob.class);
        JobResult result = runner.run(job);
        output.write(JSON.writeValueAsBytes(result));
    }
}
