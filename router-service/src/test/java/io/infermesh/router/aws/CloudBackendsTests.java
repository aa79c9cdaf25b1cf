package io.infermesh.router.aws;

import static io.infermesh.router.CloudJobFixtures.card;
import static io.infermesh.router.CloudJobFixtures.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.localinfra.MotoAws;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.router.backend.BackendException;
import io.infermesh.router.backend.Backends;
import io.infermesh.router.backend.ComputeBackend;
import io.infermesh.router.placement.Capacity;
import io.infermesh.router.placement.Estimates;
import io.infermesh.router.placement.PlacementPolicy;
import io.infermesh.router.placement.PriceTable;
import io.infermesh.router.placement.RunTimes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import tools.jackson.databind.json.JsonMapper;

/** The Lambda and Batch backends with the real AWS SDK against a moto server, and their resilience. */
@ExtendWith(MotoServer.class)
class CloudBackendsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void lambdaInvokesTheConfiguredFunctionAsynchronouslyWithTheJobPayload() {
        String function = "infermesh-digits-" + UUID.randomUUID().toString().substring(0, 8);
        MotoAws.function(function);
        List<InvokeResponse> seen = new CopyOnWriteArrayList<>();
        List<String> invocationTypes = new CopyOnWriteArrayList<>();
        try (LambdaClient client = MotoServer.client(LambdaClient.builder()
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                        invocationTypes.add(context.httpRequest()
                                .firstMatchingHeader("X-Amz-Invocation-Type")
                                .orElse(""));
                        if (context.response() instanceof InvokeResponse invoke) {
                            seen.add(invoke);
                        }
                    }
                })))) {
            JobDispatched job = job(Backend.LAMBDA, 1);
            ComputeBackend.Handle handle = new LambdaBackend(client, JSON).dispatch(job, card(function, null, null));

            assertThat(handle.id()).isNotBlank();
            assertThat(handle.detail()).contains(function);
            assertThat(invocationTypes).containsExactly("Event");
            assertThat(seen).singleElement().satisfies(response -> {
                assertThat(response.statusCode()).isEqualTo(202);
                // moto's Lambda without Docker answers with the payload it received
                JobDispatched received = JSON.readValue(response.payload().asByteArray(), JobDispatched.class);
                assertThat(received).isEqualTo(job);
            });
        }
    }

    @Test
    void aThrottlingLambdaIsReportedAsThrottled() throws Exception {
        String function = "infermesh-busy-" + UUID.randomUUID().toString().substring(0, 8);
        MotoAws.function(function);
        try (FaultyProxy proxy = new FaultyProxy();
                LambdaClient client = throughProxy(proxy)) {
            proxy.throttle(true);
            assertThatThrownBy(() -> new LambdaBackend(client, JSON)
                            .dispatch(job(Backend.LAMBDA, 1), card(function, null, null)))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(BackendException.Kind.THROTTLED);
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.getMessage()).contains(function).contains("429");
                    });
        }
    }

    @Test
    void batchSubmitsTheJobWithItsPayloadNameParametersAndTimeout() {
        String queue = "infermesh-cpu-" + UUID.randomUUID().toString().substring(0, 8);
        MotoAws.queue(queue, queue + "-worker");
        try (BatchClient client = MotoAws.batch()) {
            BatchBackend backend = new BatchBackend(client, JSON);
            JobDispatched job = job(Backend.BATCH, 2);
            ComputeBackend.Handle handle = backend.dispatch(job, card(null, queue, queue + "-worker"));

            JobDetail detail = backend.describe(List.of(handle.id())).getFirst();
            assertThat(detail.jobName()).isEqualTo(JobDispatched.batchJobName(job.jobId(), 2));
            assertThat(detail.jobQueue()).endsWith(queue);
            assertThat(detail.parameters())
                    .containsAllEntriesOf(Map.of(
                            JobDispatched.BATCH_PARAMETER_JOB_ID,
                            job.jobId(),
                            JobDispatched.BATCH_PARAMETER_ATTEMPT,
                            "2",
                            JobDispatched.BATCH_PARAMETER_MODEL,
                            "digits",
                            JobDispatched.BATCH_PARAMETER_OWNER,
                            "alice"));
            Map<String, String> environment = detail.container().environment().stream()
                    .collect(Collectors.toMap(kv -> kv.name(), kv -> kv.value()));
            assertThat(JSON.readValue(environment.get(JobDispatched.ENV_JOB), JobDispatched.class))
                    .isEqualTo(job);
            assertThat(detail.timeout().attemptDurationSeconds()).isEqualTo(120);
            assertThat(detail.statusAsString()).isEqualTo("SUCCEEDED"); // moto's Batch without Docker
        }
    }

    @Test
    void aThrottlingBackendOpensItsBreakerAutoPlacesElsewhereAndRecoveryClosesIt() throws Exception {
        String function = "infermesh-busy-" + UUID.randomUUID().toString().substring(0, 8);
        String queue = "infermesh-cpu-" + UUID.randomUUID().toString().substring(0, 8);
        MotoAws.function(function);
        MotoAws.queue(queue, queue + "-worker");
        try (FaultyProxy proxy = new FaultyProxy();
                LambdaClient lambda = throughProxy(proxy);
                BatchClient batch = MotoAws.batch()) {
            Backends backends = new Backends(new Backends.Resilience(
                            50, 4, 4, Duration.ofMillis(700), 2, Duration.ofMillis(10), 100, Duration.ofSeconds(5)))
                    .register(new LambdaBackend(lambda, JSON))
                    .register(new BatchBackend(batch, JSON));
            ModelCard auto = new ModelCard(
                    "digits",
                    "1",
                    "d",
                    "model.onnx",
                    null,
                    null,
                    new ModelCard.Resources(1_000_000L, 120, 2048, 1, 0, 0.5),
                    new ModelCard.Placement(
                            "auto",
                            600,
                            null,
                            new ModelCard.LambdaTarget(function, null),
                            new ModelCard.BatchTarget(queue, queue + "-worker")));
            PlacementPolicy policy = new PlacementPolicy(
                    PriceTable.defaults(), Estimates.defaults(), new RunTimes(), busyPool(), backends);
            JobRequested request = new JobRequested(
                    "j", "digits", "alice", ObjectRef.of("inbox", "digits/alice/x"), Instant.now(), "test");
            assertThat(placed(policy, request, auto)).isEqualTo(Backend.LAMBDA);

            // Lambda throttles every call: each dispatch is retried once, then refused; the breaker opens
            proxy.throttle(true);
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> backends.dispatch(job(Backend.LAMBDA, 1), auto))
                        .isInstanceOfSatisfying(
                                BackendException.class,
                                e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.THROTTLED));
            }
            assertThat(proxy.throttledCalls()).isEqualTo(4);
            assertThat(backends.breaker(Backend.LAMBDA).getState()).isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(backends.unavailable(Backend.LAMBDA))
                    .hasValueSatisfying(why -> assertThat(why).contains("circuit breaker is open"));
            assertThat(placed(policy, request, auto))
                    .as("new auto jobs go elsewhere")
                    .isEqualTo(Backend.BATCH);
            assertThatThrownBy(() -> backends.dispatch(job(Backend.LAMBDA, 1), auto))
                    .isInstanceOfSatisfying(
                            BackendException.class,
                            e -> assertThat(e.getMessage()).contains("circuit breaker"));
            assertThat(proxy.throttledCalls())
                    .as("an open breaker makes no calls")
                    .isEqualTo(4);

            // Lambda recovers; after the pause the breaker lets a trial call through, which closes it
            proxy.throttle(false);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> backends.breaker(Backend.LAMBDA).getState() == CircuitBreaker.State.HALF_OPEN);
            assertThat(placed(policy, request, auto)).isEqualTo(Backend.LAMBDA);
            for (int trial = 0; trial < 3; trial++) { // three trial calls in the half-open state
                backends.dispatch(job(Backend.LAMBDA, 1), auto);
            }
            assertThat(backends.breaker(Backend.LAMBDA).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(placed(policy, request, auto)).isEqualTo(Backend.LAMBDA);
        }
    }

    private static LambdaClient throughProxy(FaultyProxy proxy) {
        return LambdaClient.builder()
                .endpointOverride(proxy.endpoint())
                .region(MotoServer.REGION)
                .credentialsProvider(MotoServer.credentials())
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1)))
                .build();
    }

    private static Backend placed(PlacementPolicy policy, JobRequested request, ModelCard card) {
        var decision = policy.place(request, Optional.of(card), Instant.now());
        assertThat(decision).isInstanceOf(PlacementPolicy.Placed.class);
        return ((PlacementPolicy.Placed) decision).backend();
    }

    /** An on-prem pool so busy that auto must use a cloud. */
    private static Capacity busyPool() {
        return Capacity.fixed(100_000, 50_000, 2, false);
    }
}
