package io.infermesh.router.aws;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.RemoteJob;
import io.infermesh.router.backend.ComputeBackend;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.ContainerOverrides;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.batch.model.JobTimeout;
import software.amazon.awssdk.services.batch.model.KeyValuePair;
import software.amazon.awssdk.services.batch.model.SubmitJobRequest;
import software.amazon.awssdk.services.batch.model.SubmitJobResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * AWS Batch: SubmitJob to the model card's queue and job definition. The job is named
 * {@link RemoteJob#batchJobName}, carries the job id, attempt, model and owner as parameters, and the whole
 * {@link RemoteJob} in the container's {@value RemoteJob#ENV_JOB} variable; its attempt timeout is the card's
 * {@code resources.timeoutSeconds}. Its state changes come back as EventBridge "Batch Job State Change" events
 * (through ingest-service) and, when those are late, through {@link #describe} polling.
 */
final class BatchBackend implements ComputeBackend {

    private final BatchClient batch;
    private final JsonMapper json;

    BatchBackend(BatchClient batch, JsonMapper json) {
        this.batch = batch;
        this.json = json;
    }

    @Override
    public Backend id() {
        return Backend.BATCH;
    }

    @Override
    public Handle dispatch(RemoteJob job, String reason, ModelCard model) {
        ModelCard.BatchTarget target = model.placement().batch();
        SubmitJobRequest.Builder request = SubmitJobRequest.builder()
                .jobName(RemoteJob.batchJobName(job.jobId(), job.attempt()))
                .jobQueue(target.jobQueue())
                .jobDefinition(target.jobDefinition())
                .parameters(Map.of(RemoteJob.BATCH_PARAMETER_JOB_ID, job.jobId(),
                        RemoteJob.BATCH_PARAMETER_ATTEMPT, String.valueOf(job.attempt()),
                        RemoteJob.BATCH_PARAMETER_MODEL, job.model(),
                        RemoteJob.BATCH_PARAMETER_OWNER, job.owner()))
                .containerOverrides(ContainerOverrides.builder()
                        .environment(KeyValuePair.builder().name(RemoteJob.ENV_JOB)
                                .value(json.writeValueAsString(job)).build())
                        .build())
                .tags(Map.of("infermesh:job-id", job.jobId(), "infermesh:model", job.model()));
        if (model.resources() != null && model.resources().timeoutSeconds() != null) {
            // Batch's minimum attempt duration is 60 s
            request.timeout(JobTimeout.builder()
                    .attemptDurationSeconds(Math.max(60, model.resources().timeoutSeconds())).build());
        }
        SubmitJobResponse response;
        try {
            response = batch.submitJob(request.build());
        } catch (SdkException e) {
            throw AwsErrors.classify("submitting to Batch queue " + target.jobQueue(), e);
        }
        return new Handle(response.jobId(), "Batch job " + response.jobId() + " submitted to queue "
                + target.jobQueue());
    }

    /** The current state of Batch jobs, by Batch job id (at most 100 per call, Batch's limit). */
    public List<JobDetail> describe(List<String> batchJobIds) {
        try {
            return batch.describeJobs(r -> r.jobs(batchJobIds)).jobs();
        } catch (SdkException e) {
            throw AwsErrors.classify("describing Batch jobs", e);
        }
    }
}
