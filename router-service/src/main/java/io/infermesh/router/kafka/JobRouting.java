package io.infermesh.router.kafka;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import io.infermesh.router.RouterProperties;
import io.infermesh.router.catalogue.ModelCatalogue;
import io.infermesh.router.placement.RecentJobs;
import io.infermesh.router.placement.Router;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumes {@code infermesh.jobs.requested}; places each job; publishes RUNNABLE (with the placement reason) and
 * then the dispatch, or FAILED when the job cannot run. RUNNABLE goes first so that it never trails the worker's
 * STARTING on the lifecycle topic.
 */
@Configuration(proxyBeanMethods = false)
class JobRouting {

    private static final Logger log = LoggerFactory.getLogger(JobRouting.class);

    @Bean
    ModelCatalogue modelCatalogue(RouterProperties properties) {
        ModelCatalogue catalogue = ModelCatalogue.load(properties.modelsPath());
        log.info("model catalogue {}: {}", properties.modelsPath().toAbsolutePath(), catalogue.names());
        return catalogue;
    }

    @Bean
    Consumer<Message<byte[]>> routeJob(JsonMapper json, ModelCatalogue catalogue, StreamBridge bridge,
            MeterRegistry meters, RouterProperties properties) {
        Router router = new Router();
        RecentJobs recent = new RecentJobs(properties.recentJobs());
        var duplicates = meters.counter("infermesh.router.duplicates");
        return message -> {
            JobRequested job = json.readValue(message.getPayload(), JobRequested.class);
            if (!recent.firstTime(job.jobId())) {
                duplicates.increment();
                log.debug("job {} was already placed; duplicate request dropped", job.jobId());
                return;
            }
            try {
                place(job, router, catalogue, bridge, json, meters);
            } catch (RuntimeException e) {
                recent.forget(job.jobId());
                throw e;
            }
        };
    }

    private static void place(JobRequested job, Router router, ModelCatalogue catalogue, StreamBridge bridge,
            JsonMapper json, MeterRegistry meters) {
        Instant now = Instant.now();
        switch (router.place(job, catalogue.find(job.model()))) {
            case Router.Placed placed -> {
                JobStatusChanged runnable = JobStatusChanged
                        .of(job.jobId(), job.model(), job.owner(), JobStatus.RUNNABLE, 1, now)
                        .withBackend(placed.backend(), placed.reason());
                send(bridge, json, Topics.JOBS_LIFECYCLE.name(), job.jobId(), runnable.eventId(),
                        CloudEventTypes.JOB_STATUS_CHANGED, now, runnable);
                JobDispatched dispatch = new JobDispatched(job.jobId(), job.model(), job.owner(), job.input(), 1,
                        placed.reason(), job.requestedAt(), now);
                send(bridge, json, Topics.dispatch(job.model()).name(), job.jobId(), job.jobId() + "/1/dispatch",
                        CloudEventTypes.JOB_DISPATCHED, now, dispatch);
                meters.counter("infermesh.router.placements", "model", job.model(), "backend",
                        placed.backend().name().toLowerCase(java.util.Locale.ROOT)).increment();
            }
            case Router.Rejected rejected -> {
                JobStatusChanged failed = JobStatusChanged
                        .of(job.jobId(), job.model(), job.owner(), JobStatus.FAILED, 1, now)
                        .withFailure(rejected.reason(), rejected.message());
                send(bridge, json, Topics.JOBS_LIFECYCLE.name(), job.jobId(), failed.eventId(),
                        CloudEventTypes.JOB_STATUS_CHANGED, now, failed);
                meters.counter("infermesh.router.rejections", "reason", rejected.reason().name()).increment();
                log.info("job {} rejected: {}", job.jobId(), rejected.message());
            }
        }
    }

    private static void send(StreamBridge bridge, JsonMapper json, String topic, String jobId, String eventId,
            String type, Instant time, Object payload) {
        Message<byte[]> message = MessageBuilder.withPayload(json.writeValueAsBytes(payload))
                .setHeader(KafkaHeaders.KEY, jobId.getBytes(StandardCharsets.UTF_8))
                .copyHeaders(CloudEventTypes.headers(eventId, type, "router-service", jobId, time))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/json")
                .build();
        if (!bridge.send(topic, message)) {
            throw new IllegalStateException("could not publish " + type + " for job " + jobId + " to " + topic);
        }
    }
}
