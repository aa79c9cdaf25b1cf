package io.infermesh.router.backend;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import io.infermesh.router.placement.Availability;
import io.infermesh.router.placement.BackendModel;
import io.infermesh.router.placement.PlacementPolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The backends the router may use; each cloud backend behind a circuit breaker, a retry with exponential backoff for
 * transient failures and throttling, and a rate limiter (the on-prem pool is a Kafka send, retried by the producer
 * and, failing that, by redelivery of the request). An open breaker makes its backend unavailable to
 * placement ({@link Availability}) until it half-opens again after {@code openFor}; a trial call then closes or
 * re-opens it. Outcomes reported later (a Lambda function error, a throttled or failed Batch job) count against the
 * breaker too, through {@link #recordOutcome}.
 */
public final class Backends implements Availability {

    private static final String ONPREM = "onprem";

    /**
     * Resilience settings.
     *
     * @param failureRatePercent the breaker opens when this share of the recent calls failed
     * @param window how many recent calls the rate is computed over
     * @param minimumCalls calls needed before the rate counts
     * @param openFor how long an open breaker stays open before letting a trial call through
     * @param retryAttempts calls per dispatch, the first included, for retryable failures
     * @param retryBackoff the first wait between retries; doubles each time
     * @param callsPerSecond AWS API calls per second per backend
     * @param rateLimitWait how long a call waits for the rate limiter before it counts as throttled
     */
    public record Resilience(
            int failureRatePercent,
            int window,
            int minimumCalls,
            Duration openFor,
            int retryAttempts,
            Duration retryBackoff,
            int callsPerSecond,
            Duration rateLimitWait) {

        public static Resilience defaults() {
            return new Resilience(
                    50, 10, 5, Duration.ofSeconds(30), 3, Duration.ofMillis(200), 50, Duration.ofSeconds(5));
        }
    }

    // by id (ComputeBackend#id, BackendModel#id): the shipped backends' wire values and any added backend's own
    private final Map<String, ComputeBackend> backends = new ConcurrentHashMap<>();
    private final Map<String, String> missing = new ConcurrentHashMap<>();
    private final CircuitBreakerRegistry breakers;
    private final RetryRegistry retries;
    private final RateLimiterRegistry limiters;

    public Backends(Resilience settings) {
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRatePercent())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumCalls())
                .waitDurationInOpenState(settings.openFor())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(3)
                // a refused request (no such function, invalid parameters) is one card's mistake, not an outage
                .recordException(e -> !(e instanceof CallNotPermittedException)
                        && !(e instanceof BackendException b && b.kind() == BackendException.Kind.REJECTED))
                .build());
        this.retries = RetryRegistry.of(RetryConfig.custom()
                .maxAttempts(Math.max(1, settings.retryAttempts()))
                .intervalFunction(IntervalFunction.ofExponentialBackoff(
                        settings.retryBackoff().toMillis(), 2.0))
                .retryOnException(e -> e instanceof BackendException b && b.retryable())
                .build());
        this.limiters = RateLimiterRegistry.of(RateLimiterConfig.custom()
                .limitForPeriod(Math.max(1, settings.callsPerSecond()))
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(settings.rateLimitWait())
                .build());
    }

    /** Makes {@code backend} available. */
    public Backends register(ComputeBackend backend) {
        backends.put(backend.id(), backend);
        missing.remove(backend.id());
        breaker(backend.id());
        return this;
    }

    /** Records why a backend is not there (not configured), for placement to say so. */
    public Backends absent(Backend backend, String why) {
        if (!backends.containsKey(id(backend))) {
            missing.put(id(backend), why);
        }
        return this;
    }

    @Override
    public Optional<String> unavailable(Backend backend) {
        return unavailable(id(backend));
    }

    @Override
    public Optional<String> unavailable(BackendModel backend) {
        return unavailable(backend.id());
    }

    /** Why the backend with this id cannot take jobs now, or empty when it can. */
    public Optional<String> unavailable(String backend) {
        if (!backends.containsKey(backend)) {
            return Optional.of(missing.getOrDefault(backend, "it is not configured"));
        }
        if (ONPREM.equals(backend)) {
            return Optional.empty(); // Kafka: its own retries, then the request's dead letter
        }
        CircuitBreaker breaker = breaker(backend);
        if (breaker.getState() == CircuitBreaker.State.OPEN || breaker.getState() == CircuitBreaker.State.FORCED_OPEN) {
            CircuitBreaker.Metrics m = breaker.getMetrics();
            return Optional.of(String.format(
                    Locale.ROOT,
                    "its circuit breaker is open (%d of the last %d calls failed); it is tried again after a pause",
                    m.getNumberOfFailedCalls(),
                    m.getNumberOfBufferedCalls()));
        }
        return Optional.empty();
    }

    /**
     * Dispatches through the backend's rate limiter, circuit breaker and retry.
     *
     * @throws BackendException when the backend refused after retries, or its breaker is open
     */
    public ComputeBackend.Handle dispatch(JobDispatched job, ModelCard model) {
        return dispatch(id(job.backendOrOnprem()), job, model);
    }

    /**
     * Dispatches to the backend with this id (a backend added through the SPI has no wire value in the record, ADR
     * 0023) through its rate limiter, circuit breaker and retry.
     *
     * @throws BackendException when the backend refused after retries, or its breaker is open
     */
    public ComputeBackend.Handle dispatch(String backend, JobDispatched job, ModelCard model) {
        ComputeBackend target = backends.get(backend);
        if (target == null) {
            throw new BackendException(
                    BackendException.Kind.REJECTED, unavailable(backend).orElseThrow(), null);
        }
        if (ONPREM.equals(backend)) {
            // a Kafka send: the binder's producer retries it; a failure fails the request, which Kafka redelivers
            return target.dispatch(job, model);
        }
        CircuitBreaker breaker = breaker(backend);
        Supplier<ComputeBackend.Handle> call = () -> target.dispatch(job, model);
        call = RateLimiter.decorateSupplier(limiters.rateLimiter(backend), call);
        call = CircuitBreaker.decorateSupplier(breaker, call);
        call = Retry.decorateSupplier(retries.retry(backend), call);
        try {
            return call.get();
        } catch (CallNotPermittedException e) {
            throw new BackendException(
                    BackendException.Kind.THROTTLED, unavailable(backend).orElse("its circuit breaker is open"), e);
        } catch (RequestNotPermitted e) {
            throw new BackendException(
                    BackendException.Kind.THROTTLED,
                    "the router's rate limit for " + backend + " API calls was reached",
                    e);
        }
    }

    /**
     * Counts an outcome reported after the dispatch (a completion or failure seen on the lifecycle) against the
     * backend's breaker, while it is closed.
     */
    public void recordOutcome(Backend backend, boolean failed) {
        if (backend == null || backend == Backend.ONPREM || !backends.containsKey(id(backend))) {
            return;
        }
        CircuitBreaker breaker = breaker(backend);
        if (breaker.getState() != CircuitBreaker.State.CLOSED) {
            return;
        }
        if (failed) {
            breaker.onError(
                    0,
                    TimeUnit.NANOSECONDS,
                    new BackendException(BackendException.Kind.TRANSIENT, "the backend reported a failed job", null));
        } else {
            breaker.onSuccess(0, TimeUnit.NANOSECONDS);
        }
    }

    /** The breaker of {@code backend} (for metrics and tests). */
    public CircuitBreaker breaker(Backend backend) {
        return breaker(id(backend));
    }

    /** The breaker of the backend with this id. */
    public CircuitBreaker breaker(String backend) {
        return breakers.circuitBreaker(backend);
    }

    public CircuitBreakerRegistry breakers() {
        return breakers;
    }

    public RetryRegistry retries() {
        return retries;
    }

    public RateLimiterRegistry limiters() {
        return limiters;
    }

    /** The registered backend of that kind, if any. */
    public Optional<ComputeBackend> get(Backend backend) {
        return Optional.ofNullable(backends.get(id(backend)));
    }

    private static String id(Backend backend) {
        return PlacementPolicy.wire(backend);
    }
}
