package io.infermesh.worker;

import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfraExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/** What the router would do (dispatch a job) and what a subscriber would see, with plain Kafka clients. */
final class WorkerKafka {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private WorkerKafka() {
    }

    static JobDispatched dispatch(String model, String owner, ObjectRef input) {
        String jobId = "job-" + UUID.randomUUID();
        Instant now = Instant.now();
        JobDispatched job = new JobDispatched(jobId, model, owner, input, 1, "test", now, now);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalInfraExtension.infra().kafka().bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (var producer = new KafkaProducer<String, byte[]>(config)) {
            var record = new ProducerRecord<>(Topics.dispatch(model).name(), jobId, JSON.writeValueAsBytes(job));
            CloudEventTypes.headers(jobId + "/1/dispatch", CloudEventTypes.JOB_DISPATCHED, "router-service", jobId, now)
                    .forEach((k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
            producer.send(record);
        }
        return job;
    }

    static List<ConsumerRecord<String, String>> awaitRecords(String topic, String key,
            Predicate<List<ConsumerRecord<String, String>>> done) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalInfraExtension.infra().kafka().bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(config)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(40)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (key.equals(r.key())) {
                        found.add(r);
                    }
                });
                return done.test(found);
            });
        }
        return found;
    }

    static S3Client s3() {
        var local = LocalInfraExtension.infra().s3();
        return S3Client.builder().endpointOverride(local.endpoint()).region(Region.of(local.region()))
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider
                        .create(AwsBasicCredentials.create(local.accessKey(), local.secretKey())))
                .build();
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
            "spring.cloud.stream.bindings.runJob-in-0.consumer.back-off-initial-interval=10",
            "spring.cloud.stream.bindings.runJob-in-0.consumer.back-off-max-interval=20"
        };
    }
}
