package io.infermesh.worker.cancellations;

import io.infermesh.worker.WorkerProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** The cancelled job attempts this instance knows, fed by its reader of {@code infermesh.jobs.cancellations}. */
@Configuration(proxyBeanMethods = false)
class CancellationsConfiguration {

    @Bean
    CancelledJobs cancelledJobs(WorkerProperties properties, MeterRegistry meters) {
        CancelledJobs cancelled = new CancelledJobs(properties.cancellations().capacity());
        Gauge.builder("infermesh.worker.cancellations.known", cancelled, CancelledJobs::size)
                .description("cancelled job attempts this instance knows and skips")
                .register(meters);
        return cancelled;
    }

    @Bean
    CancellationReader cancellationReader(
            CancelledJobs cancelled,
            WorkerProperties properties,
            JsonMapper json,
            MeterRegistry meters,
            @Value("${spring.cloud.stream.kafka.binder.brokers}") String brokers,
            @Value("${spring.cloud.stream.kafka.binder.replication-factor:1}") short replicationFactor) {
        // one per context (tests run several in one JVM), so that the clients' metrics do not collide
        String client =
                "worker-cancellations-" + instance() + "-" + Integer.toHexString(System.identityHashCode(cancelled));
        // no group: every instance reads every partition from the earliest record, and commits nothing
        Map<String, Object> consumer = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                brokers,
                ConsumerConfig.CLIENT_ID_CONFIG,
                client,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        Map<String, Object> admin = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                brokers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                client + "-admin");
        return new CancellationReader(
                cancelled,
                json,
                () -> new KafkaConsumer<>(consumer, new StringDeserializer(), new ByteArrayDeserializer()),
                () -> Admin.create(admin),
                replicationFactor,
                properties.cancellations().catchUpTimeout(),
                meters.counter("infermesh.worker.cancellations.unreadable"));
    }

    private static String instance() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
