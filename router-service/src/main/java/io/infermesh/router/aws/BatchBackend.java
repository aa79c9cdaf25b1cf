package io.infermesh.router.aws;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import io.infermesh.router.backend.BackendException;
import io.infermesh.router.backend.ComputeBackend;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
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
 * {@link JobDispatched#batchJobName}, carries the job id, attempt, model and owner as parameters, and the whole
 * {@link JobDispatched} in the container's {@value JobDispatched#ENV_JOB} variable; its attempt timeout is the card's
 * {@code resources.timeoutSeconds}. Its state changes come back as EventBridge "Batch Job State Change" events
 * (through ingest-service) and, when those are late, through {@link #describe} polling.
 */
final class BatchBackend implements ComputeBackend {

    private static final Logger log = LoggerFactory.getLogger(BatchBackend.class);

    private final BatchClient batch;
    private final JsonMapper json;

    BatchBackend(BatchClient batch, JsonMapper json) {
        this.batch = batch;
        this.json = json;
    }

    @Override
    public String id() {
        return "batch";
    }

    @Override
    public Handle dispatch(JobDispatched job, ModelCard model) {
        ModelCard.BatchTarget target = model.placement().batch();
        SubmitJobRequest.Builder request = SubmitJobRequest.builder()
                .jobName(JobDispatched.batchJobName(job.jobId(), job.attempt()))
                .jobQueue(target.jobQueue())
                .jobDefinition(target.jobDefinition())
                .parameters(Map.of(
                        JobDispatched.BATCH_PARAMETER_JOB_ID,
                        job.jobId(),
                        JobDispatched.BATCH_PARAMETER_ATTEMPT,
                        String.valueOf(job.attempt()),
                        JobDispatched.BATCH_PARAMETER_MODEL,
                        job.model(),
                        JobDispatched.BATCH_PARAMETER_OWNER,
                        job.owner()))
                .containerOverrides(ContainerOverrides.builder()
                        .environment(KeyValuePair.builder()
                                .name(JobDispatched.ENV_JOB)
                                .value(json.writeValueAsString(job))
                                .build())
                        .build())
                .tags(Map.of("infermesh:job-id", job.jobId(), "infermesh:model", job.model()));
        if (model.resources() != null && model.resources().timeoutSeconds() != null) {
            // Batch's minimum attempt duration is 60 s
            request.timeout(JobTimeout.builder()
                    .attemptDurationSeconds(Math.max(60, model.resources().timeoutSeconds()))
                    .build());
        }
        SubmitJobResponse response;
        try {
            response = batch.submitJob(request.build());
        } catch (SdkException e) {
            throw refusal(
                    AwsErrors.submit(target.jobQueue(), target.jobDefinition(), job.model()), target, job.model(), e);
        }
        return new Handle(
                response.jobId(), "Batch job " + response.jobId() + " submitted to queue " + target.jobQueue());
    }

    /** The current state of Batch jobs, by Batch job id (at most 100 per call, Batch's limit). */
    List<JobDetail> describe(List<String> batchJobIds) {
        try {
            return batch.describeJobs(r -> r.jobs(batchJobIds)).jobs();
        } catch (SdkException e) {
            throw AwsErrors.classify(AwsErrors.describe(batchJobIds.size()), e);
        }
    }

    /**
     * A refused submission. Batch answers every mistake of the request with one code (ClientException, HTTP 400) and
     * says in its own words what is wrong; so that the sentence can say it instead, the queue and the job definition
     * are looked up (only on such a refusal) and a missing one is named.
     */
    private BackendException refusal(AwsErrors.Call call, ModelCard.BatchTarget target, String model, SdkException e) {
        BackendException refusal = AwsErrors.classify(call, e);
        if (refusal.kind() != BackendException.Kind.REJECTED
                || !(e instanceof AwsServiceException service)
                || service.statusCode() != 400) {
            return refusal;
        }
        String code = service.awsErrorDetails() == null
                ? null
                : service.awsErrorDetails().errorCode();
        try {
            if (batch.describeJobQueues(r -> r.jobQueues(target.jobQueue()))
                    .jobQueues()
                    .isEmpty()) {
                return AwsErrors.refusal(
                        AwsErrors.noQueue(call, target.jobQueue(), model), AwsErrors.Problem.NOT_FOUND, code, 400);
            }
            if (!definitionActive(target.jobDefinition())) {
                return AwsErrors.refusal(
                        AwsErrors.noDefinition(call, target.jobDefinition(), model),
                        AwsErrors.Problem.NOT_FOUND,
                        code,
                        400);
            }
        } catch (SdkException lookup) {
            log.debug(
                    "could not look up Batch queue {} and job definition {}: {}",
                    target.jobQueue(),
                    target.jobDefinition(),
                    lookup.toString());
        }
        return refusal;
    }

    /** Whether the job definition (a name, {@code name:revision} or an ARN) has an ACTIVE revision. */
    private boolean definitionActive(String definition) {
        if (definition.startsWith("arn:") || definition.contains(":")) {
            return batch.describeJobDefinitions(r -> r.jobDefinitions(definition)).jobDefinitions().stream()
                    .anyMatch(d -> "ACTIVE".equals(d.status()));
        }
        return !batch.describeJobDefinitions(
                        r -> r.jobDefinitionName(definition).status("ACTIVE"))
                .jobDefinitions()
                .isEmpty();
    }
}
