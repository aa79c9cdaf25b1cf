package io.infermesh.router.routing;

import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ModelCatalogue;
import io.infermesh.contracts.Topics;
import io.infermesh.events.JobEventSender;
import io.infermesh.router.RouterProperties;
import io.infermesh.router.backend.Backends;
import io.infermesh.router.backend.ComputeBackend;
import io.infermesh.router.placement.BackendModel;
import io.infermesh.router.placement.Estimates;
import io.infermesh.router.placement.PlacementPolicy;
import io.infermesh.router.placement.RecentJobs;
import io.infermesh.router.placement.RunTimes;
import io.infermesh.router.tracking.FinalOutcomes;
import io.infermesh.router.tracking.Ledger;
import io.infermesh.router.tracking.PoolStatuses;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The router's application flow, wired: consumes {@code infermesh.jobs.requested}, places each job and dispatches it
 * ({@link Dispatcher}); consumes {@code infermesh.jobs.lifecycle} to learn run times, backlogs and cloud outcomes
 * ({@link LifecycleObserver}); the worker pools' own reports come in through {@link PoolObserving}. The backends are
 * every {@link ComputeBackend} bean: the on-prem pool always, AWS Lambda and Batch when AWS is enabled.
 */
@Configuration(proxyBeanMethods = false)
class JobRouting {

    private static final Logger log = LoggerFactory.getLogger(JobRouting.class);

    @Bean
    ModelCatalogue modelCatalogue(RouterProperties properties) {
        ModelCatalogue catalogue = ModelCatalogue.load(properties.modelsPath(), "infermesh.router.models-dir");
        log.info("model catalogue {}: {}", properties.modelsPath().toAbsolutePath(), catalogue.names());
        return catalogue;
    }

    @Bean
    RunTimes runTimes() {
        return new RunTimes();
    }

    @Bean
    Ledger ledger(RouterProperties properties, PoolStatuses pools) {
        return new Ledger(properties.estimates().estimates(), Clock.systemUTC(), pools);
    }

    /** What the router publishes on the job topics (lifecycle, dispatch, results), as {@code router-service}. */
    @Bean
    JobEventSender jobEvents(StreamBridge bridge, JsonMapper json) {
        return new JobEventSender(bridge, json, "router-service");
    }

    @Bean
    Backends backends(RouterProperties properties, List<ComputeBackend> available, MeterRegistry meters) {
        Backends backends = new Backends(properties.resilience().settings());
        available.forEach(backends::register);
        String why = "AWS is not configured for this router (infermesh.router.aws.enabled=false)";
        backends.absent(Backend.LAMBDA, why).absent(Backend.BATCH, why);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(backends.breakers())
                .bindTo(meters);
        TaggedRetryMetrics.ofRetryRegistry(backends.retries()).bindTo(meters);
        TaggedRateLimiterMetrics.ofRateLimiterRegistry(backends.limiters()).bindTo(meters);
        return backends;
    }

    /**
     * The policy over the shipped backends (priced by {@code infermesh.router.prices}) and every backend added as a
     * {@link BackendModel} bean (ADR 0023), whose estimates follow the shipped ones.
     */
    @Bean
    PlacementPolicy placementPolicy(
            RouterProperties properties,
            RunTimes runTimes,
            Ledger ledger,
            Backends backends,
            ObjectProvider<BackendModel> added) {
        Estimates estimates = properties.estimates().estimates();
        List<BackendModel> all =
                new ArrayList<>(PlacementPolicy.shipped(properties.prices().table(), estimates));
        added.orderedStream().forEach(all::add);
        return new PlacementPolicy(all, estimates, runTimes, ledger, backends);
    }

    /**
     * The jobs seen to end SUCCEEDED or CANCELLED, followed from the lifecycle: no further attempt of them starts and
     * no result of another attempt is published (ADR 0016). As many jobs as {@code recent-jobs}.
     */
    @Bean
    FinalOutcomes finalOutcomes(RouterProperties properties) {
        return new FinalOutcomes(properties.recentJobs());
    }

    @Bean
    Dispatcher dispatcher(
            PlacementPolicy policy,
            Backends backends,
            Ledger ledger,
            FinalOutcomes finals,
            JobEventSender events,
            ModelCatalogue catalogue,
            MeterRegistry meters,
            RouterProperties properties) {
        return new Dispatcher(
                policy,
                backends,
                ledger,
                finals,
                events,
                catalogue,
                meters,
                Clock.systemUTC(),
                properties.resultsBucket(),
                properties.resultsPrefix());
    }

    /**
     * The (job id, attempt) pairs placed: requests and lambda-batch's re-dispatches share it, so that an owner's retry
     * of an attempt the router already started on Batch is a duplicate, not a second run.
     */
    @Bean
    RecentJobs placedAttempts(RouterProperties properties) {
        return new RecentJobs(properties.recentJobs());
    }

    /**
     * Places each requested attempt once. A failure leaves the record with a sentence ({@link RoutingFailure},
     * {@link UnreadableRecord}): the binding retries it, then dead-letters it, and status-service settles the job
     * FAILED with that sentence.
     */
    @Bean
    Consumer<Message<byte[]>> routeJob(
            JsonMapper json, Dispatcher dispatcher, MeterRegistry meters, RecentJobs placedAttempts) {
        var duplicates = meters.counter("infermesh.router.duplicates");
        return message -> {
            JobRequested job;
            try {
                job = json.readValue(message.getPayload(), JobRequested.class);
            } catch (JacksonException e) {
                throw UnreadableRecord.of(
                        message, Topics.JOBS_REQUESTED.name(), "a job request it understands (JobRequested JSON)", e);
            }
            int attempt = job.attemptOrFirst();
            if (!placedAttempts.firstTime(job.jobId(), attempt)) {
                duplicates.increment();
                log.debug("job {} attempt {} was already placed; duplicate request dropped", job.jobId(), attempt);
                return;
            }
            try {
                dispatcher.route(job);
            } catch (RuntimeException e) {
                placedAttempts.forget(job.jobId(), attempt);
                throw RoutingFailure.of(message, "place attempt " + attempt + " of job " + job.jobId(), e);
            }
        };
    }

    @Bean
    LifecycleObserver lifecycleObserver(
            Ledger ledger,
            RunTimes runTimes,
            Backends backends,
            Dispatcher dispatcher,
            ModelCatalogue catalogue,
            MeterRegistry meters,
            RecentJobs placedAttempts,
            FinalOutcomes finals) {
        return new LifecycleObserver(ledger, runTimes, backends, dispatcher, catalogue, meters, placedAttempts, finals);
    }

    /** Learns from each lifecycle event; a failure is retried, then dead-lettered with a sentence, as above. */
    @Bean
    Consumer<Message<byte[]>> observeLifecycle(JsonMapper json, LifecycleObserver observer) {
        return message -> {
            JobStatusChanged event;
            try {
                event = json.readValue(message.getPayload(), JobStatusChanged.class);
            } catch (JacksonException e) {
                throw UnreadableRecord.of(
                        message,
                        Topics.JOBS_LIFECYCLE.name(),
                        "a job status change it understands (JobStatusChanged JSON)",
                        e);
            }
            try {
                observer.accept(event);
            } catch (RuntimeException e) {
                throw RoutingFailure.of(
                        message,
                        "act on " + event.eventId() + " (" + event.status() + " of job " + event.jobId() + " attempt "
                                + event.attempt() + ")",
                        e);
            }
        };
    }
}
