package io.infermesh.worker;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.TopicProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/** What the router would do (dispatch a job) and what a subscriber would see, with plain Kafka clients. */
final class WorkerKafka {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private WorkerKafka() {
    }

    static JobDispatched dispatch(String model, String owner, ObjectRef input) {
        String jobId = "job-" + java.util.UUID.randomUUID();
        Instant now = Instant.now();
        JobDispatched job = new JobDispatched(jobId, model, owner, input, 1, "test", now, now, null);
        TopicProbe.send(kafka(), Topics.dispatch(model).name(), jobId, JSON.writeValueAsBytes(job),
                CloudEventTypes.headers(jobId + "/1/dispatch", CloudEventTypes.JOB_DISPATCHED, "router-service", jobId,
                        now));
        return job;
    }

    static List<ConsumerRecord<String, String>> awaitRecords(String topic, String key,
            Predicate<List<ConsumerRecord<String, String>>> done) {
        return TopicProbe.awaitRecords(kafka(), topic, key, done, Duration.ofSeconds(40));
    }

    static S3Client s3() {
        return LocalInfraExtension.infra().s3().client();
    }

    private static String kafka() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }

    static String[] properties(String resultsBucket) {
        var infra = LocalInfraExtension.infra();
        infra.kafka().createTopics(3, Topics.JOBS_LIFECYCLE.name(), Topics.JOBS_RESULTS.name());
        return new String[] {
            "spring.cloud.stream.kafka.binder.brokers=" + infra.kafka().bootstrapServers(),
            "infermesh.worker.models-dir=../models",
            "infermesh.worker.results-bucket=" + resultsBucket,
            "infermesh.worker.s3.endpoint=" + infra.s3().endpoint(),
            "infermesh.worker.s3.access-key=" + infra.s3().accessKey(),
            "infermesh.worker.s3.secret-key=" + infra.s3().secretKey(),
            "infermesh.worker.s3.region=" + infra.s3().region(),
            "infermesh.worker.pool.retry-backoff=10ms",
            // several workers run side by side in one test: no fixed actuator port
            "management.server.port=0"
        };
    }
}
