package io.infermesh.worker;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.TopicProbe;
import io.infermesh.worker.pool.Pools;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/** What the router would do (dispatch a job) and what a subscriber would see, with plain Kafka clients. */
final class WorkerKafka {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private WorkerKafka() {}

    static JobDispatched dispatch(String model, String owner, ObjectRef input) {
        return dispatch(model, owner, input, "job-" + UUID.randomUUID());
    }

    static JobDispatched dispatch(String model, String owner, ObjectRef input, String jobId) {
        Instant now = Instant.now();
        JobDispatched job = new JobDispatched(jobId, model, owner, input, 1, "test", now, now, null);
        TopicProbe.send(
                kafka(),
                Topics.dispatch(model).name(),
                jobId,
                JSON.writeValueAsBytes(job),
                CloudEventTypes.headers(
                        jobId + "/1/dispatch", CloudEventTypes.JOB_DISPATCHED, "router-service", jobId, now));
        return job;
    }

    /** What status-service publishes when the owner cancels attempt 1 of a job (ADR 0016). */
    static void cancel(String jobId, String model, String owner) {
        JobStatusChanged cancelled = JobStatusChanged.of(jobId, model, owner, JobStatus.CANCELLED, 1, Instant.now())
                .withMessage("Cancelled by " + owner);
        TopicProbe.send(
                kafka(),
                Topics.JOBS_CANCELLATIONS.name(),
                jobId,
                JSON.writeValueAsBytes(cancelled),
                CloudEventTypes.headers(
                        cancelled.eventId(),
                        CloudEventTypes.JOB_STATUS_CHANGED,
                        "status-service",
                        jobId,
                        cancelled.occurredAt()));
    }

    /** Every record keyed {@code key} that {@code topic} holds now: read from the beginning to its end offsets. */
    static List<ConsumerRecord<String, String>> recordsNow(String topic, String key) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end offsets " + ends);
                }
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    if (key.equals(record.key())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    /** Records of {@code topic} not yet committed by the workers' group. */
    static long uncommitted(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka()))) {
            var committed = admin.listConsumerGroupOffsets(Pools.GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get();
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            long behind = 0;
            for (var end : admin.listOffsets(latest).all().get().entrySet()) {
                var done = committed.get(end.getKey());
                behind += end.getValue().offset() - (done == null ? 0 : done.offset());
            }
            return behind;
        }
    }

    static List<ConsumerRecord<String, String>> awaitRecords(
            String topic, String key, Predicate<List<ConsumerRecord<String, String>>> done) {
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
