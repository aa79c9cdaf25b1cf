package io.infermesh.ingest.notification;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cloud backend reports as AWS delivers them (shapes from the AWS documentation): Lambda asynchronous-invocation
 * destination records and Batch "Batch Job State Change" events, carrying the router's {@link JobDispatched}.
 */
public final class CloudBackendExamples {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final String FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:infermesh-digits:$LATEST";
    public static final Instant REQUESTED = Instant.parse("2026-11-22T18:15:59.500Z");

    private CloudBackendExamples() {}

    /** The job the router hands to a backend, with its result location. */
    public static JobDispatched job(String jobId, int attempt, Backend backend) {
        return new JobDispatched(
                jobId,
                "digits",
                "alice",
                new ObjectRef("infermesh", "inbox/digits/alice/seven 7.png", null, "9b2c", 1234L, "image/png"),
                attempt,
                null,
                REQUESTED,
                REQUESTED.plusMillis(40),
                0.0000021,
                backend,
                ObjectRef.of("infermesh", JobDispatched.resultKey("results/", "digits", "alice", jobId)),
                null);
    }

    /** What the infermesh Lambda handler returns. */
    public static JobResult returned(JobDispatched job) {
        return new JobResult(
                job.jobId(),
                job.model(),
                job.owner(),
                job.attempt(),
                Backend.LAMBDA,
                job.input(),
                job.output(),
                List.of(new Prediction("7", 0.981), new Prediction("1", 0.012)),
                new Timings(80L, 12L, 0L, 4L, 9L, 105L),
                Instant.parse("2026-11-22T18:16:05.500Z"),
                0.0000018);
    }

    /** An on-success destination record whose function returned {@code response} (any JSON, or null for none). */
    public static String lambdaSuccess(Object request, Object response) {
        return """
                {"version":"1.0","timestamp":"2026-11-22T18:16:05.568Z",
                 "requestContext":{"requestId":"e4b46cbf-b738-xmpl-8880-a18cdf61200e","functionArn":"%s",
                  "condition":"Success","approximateInvokeCount":1},
                 "requestPayload":%s,
                 "responseContext":{"statusCode":200,"executedVersion":"$LATEST"}%s}""".formatted(
                        FUNCTION_ARN,
                        JSON.writeValueAsString(request),
                        response == null ? "" : ",\n \"responsePayload\":" + JSON.writeValueAsString(response));
    }

    /** An on-failure destination record; {@code errorType} and {@code errorMessage} may be null. */
    public static String lambdaFailure(
            Object request, String condition, String errorType, String errorMessage, int invokeCount) {
        Map<String, String> error = new LinkedHashMap<>();
        if (errorMessage != null) {
            error.put("errorMessage", errorMessage);
        }
        if (errorType != null) {
            error.put("errorType", errorType);
        }
        return """
                {"version":"1.0","timestamp":"2026-11-22T18:16:05.568Z",
                 "requestContext":{"requestId":"e4b46cbf-b738-xmpl-8880-a18cdf61200e","functionArn":"%s",
                  "condition":"%s","approximateInvokeCount":%d},
                 "requestPayload":%s,
                 "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
                 "responsePayload":%s}""".formatted(
                FUNCTION_ARN, condition, invokeCount, JSON.writeValueAsString(request), JSON.writeValueAsString(error));
    }

    /** An on-failure record of an event that expired before it ran: no response at all. */
    public static String lambdaEventAgeExceeded(Object request) {
        return """
                {"version":"1.0","timestamp":"2026-11-22T18:16:05.568Z",
                 "requestContext":{"requestId":"e4b46cbf-b738-xmpl-8880-a18cdf61200e","functionArn":"%s",
                  "condition":"EventAgeExceeded","approximateInvokeCount":0},
                 "requestPayload":%s}""".formatted(FUNCTION_ARN, JSON.writeValueAsString(request));
    }

    /**
     * A Batch Job State Change event of a job submitted as the router submits it: name, parameters and the
     * {@code INFERMESH_JOB} variable.
     */
    public static String batch(JobDispatched job, String status) {
        return batch(
                status,
                JobDispatched.batchJobName(job.jobId(), job.attempt()),
                parameters(job),
                JSON.writeValueAsString(job),
                "");
    }

    /** The infermesh parameters of a job's Batch submission. */
    public static Map<String, String> parameters(JobDispatched job) {
        return Map.of(
                JobDispatched.BATCH_PARAMETER_JOB_ID,
                job.jobId(),
                JobDispatched.BATCH_PARAMETER_ATTEMPT,
                String.valueOf(job.attempt()),
                JobDispatched.BATCH_PARAMETER_MODEL,
                job.model(),
                JobDispatched.BATCH_PARAMETER_OWNER,
                job.owner());
    }

    /**
     * A Batch Job State Change event.
     *
     * @param variable the INFERMESH_JOB value, or null for none
     * @param more extra {@code detail} fields, as JSON members starting with a comma (or empty)
     */
    public static String batch(
            String status, String jobName, Map<String, String> parameters, String variable, String more) {
        String environment = variable == null
                ? "[{\"name\":\"AWS_REGION\",\"value\":\"us-east-1\"}]"
                : "[{\"name\":\"AWS_REGION\",\"value\":\"us-east-1\"},{\"name\":\"" + JobDispatched.ENV_JOB
                        + "\",\"value\":" + JSON.writeValueAsString(variable) + "}]";
        boolean stopped = "SUCCEEDED".equals(status) || "FAILED".equals(status);
        return """
                {"version":"0","id":"c8f9c4b5-76e5-d76a-f980-7011e206042b","detail-type":"Batch Job State Change",
                 "source":"aws.batch","account":"123456789012","time":"2026-11-22T18:20:00Z","region":"us-east-1",
                 "resources":["arn:aws:batch:us-east-1:123456789012:job/4c7599ae-0a82-49aa-ba5a-4727fcce14a8"],
                 "detail":{"jobArn":"arn:aws:batch:us-east-1:123456789012:job/4c7599ae-0a82-49aa-ba5a-4727fcce14a8",
                  "jobName":%s,"jobId":"4c7599ae-0a82-49aa-ba5a-4727fcce14a8",
                  "jobQueue":"arn:aws:batch:us-east-1:123456789012:job-queue/infermesh-cpu",
                  "status":"%s","attempts":[],"createdAt":1795371360000%s,
                  "parameters":%s,"dependsOn":[],
                  "jobDefinition":"arn:aws:batch:us-east-1:123456789012:job-definition/infermesh-worker:3",
                  "container":{"image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/infermesh-worker:1",
                   "vcpus":1,"memory":2048,"command":["run-remote-job"],"environment":%s,"mountPoints":[],
                   "volumes":[],"ulimits":[]%s},
                  "tags":{"resourceArn":"arn:aws:batch:us-east-1:123456789012:job/4c7599ae"},
                  "propagateTags":false,"platformCapabilities":[]%s}}""".formatted(
                        JSON.writeValueAsString(jobName),
                        status,
                        stopped
                                ? ",\"startedAt\":1795371370000,\"stoppedAt\":1795371380000"
                                : "RUNNING".equals(status) ? ",\"startedAt\":1795371370000" : "",
                        JSON.writeValueAsString(parameters),
                        environment,
                        "SUCCEEDED".equals(status) ? ",\"exitCode\":0" : "",
                        more);
    }

    /** Wraps a message as SNS delivers it to SQS without raw delivery. */
    public static String snsEnvelope(String message) {
        return JSON.writeValueAsString(Map.of(
                "Type",
                "Notification",
                "MessageId",
                "d1b2c3",
                "TopicArn",
                "arn:aws:sns:us-east-1:123456789012:infermesh-backends",
                "Message",
                message,
                "Timestamp",
                "2026-11-22T18:16:06.000Z"));
    }

    /** Asserts that a record serialises to JSON its published schema ({@code /schemas/<name>.schema.json}) accepts. */
    public static void assertMatchesSchema(String name, Object record) {
        try {
            String json = JSON.writeValueAsString(record);
            InputStream in = CloudBackendExamples.class.getResourceAsStream("/schemas/" + name + ".schema.json");
            assertThat(in).as("schema %s on the classpath", name).isNotNull();
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in);
            assertThat(schema.validate(new ObjectMapper().readTree(json)))
                    .as("%s against %s", json, name)
                    .isEmpty();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
