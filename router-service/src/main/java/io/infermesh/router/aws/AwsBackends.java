package io.infermesh.router.aws;

import io.infermesh.events.JobEventSender;
import io.infermesh.router.RouterProperties;
import io.infermesh.router.tracking.FinalOutcomes;
import io.infermesh.router.tracking.Ledger;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The AWS backends, when {@code infermesh.router.aws.enabled=true}: the Lambda and Batch clients, {@link LambdaBackend}
 * and {@link BatchBackend} (beans the routing configuration registers with the other backends), and the
 * {@link BatchPoller} on its timer. The SDK's own retries are off: the router's retry (resilience4j) retries instead,
 * so that its circuit breaker sees every failed call.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "infermesh.router.aws.enabled", havingValue = "true")
class AwsBackends {

    private static final Logger log = LoggerFactory.getLogger(AwsBackends.class);

    @Bean(destroyMethod = "close")
    LambdaClient lambdaClient(RouterProperties properties) {
        return configure(LambdaClient.builder(), properties.aws());
    }

    @Bean(destroyMethod = "close")
    BatchClient batchClient(RouterProperties properties) {
        return configure(BatchClient.builder(), properties.aws());
    }

    @Bean
    LambdaBackend lambdaBackend(LambdaClient lambda, JsonMapper json) {
        return new LambdaBackend(lambda, json);
    }

    @Bean
    BatchBackend batchBackend(BatchClient batch, JsonMapper json) {
        return new BatchBackend(batch, json);
    }

    @Bean
    SmartLifecycle batchPolling(
            BatchBackend batch,
            Ledger ledger,
            FinalOutcomes finals,
            JobEventSender events,
            MeterRegistry meters,
            RouterProperties properties) {
        BatchPoller poller = new BatchPoller(
                batch, ledger, finals, events, meters, properties.batchPoll().lateAfter(), Clock.systemUTC());
        long every = properties.batchPoll().interval().toMillis();
        return new SmartLifecycle() {
            private ScheduledExecutorService timer;

            @Override
            public void start() {
                timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "batch-poller"));
                timer.scheduleWithFixedDelay(
                        () -> {
                            try {
                                int published = poller.poll();
                                if (published > 0) {
                                    log.info("Batch polling published {} late status changes", published);
                                }
                            } catch (RuntimeException e) {
                                log.warn("Batch polling failed; next poll in {} ms", every, e);
                            }
                        },
                        every,
                        every,
                        TimeUnit.MILLISECONDS);
            }

            @Override
            public void stop() {
                timer.shutdownNow();
            }

            @Override
            public boolean isRunning() {
                return timer != null && !timer.isShutdown();
            }
        };
    }

    private static <B extends AwsClientBuilder<B, C>, C> C configure(B builder, RouterProperties.Aws aws) {
        if (aws.region() != null && !aws.region().isBlank()) {
            builder.region(Region.of(aws.region()));
        } else if (System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null) {
            builder.region(Region.US_EAST_1);
        }
        if (aws.endpoint() != null) {
            builder.endpointOverride(aws.endpoint());
        }
        if (aws.accessKeyId() != null && !aws.accessKeyId().isBlank()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey())));
        }
        builder.overrideConfiguration(ClientOverrideConfiguration.builder()
                .retryStrategy(RetryMode.STANDARD)
                .retryStrategy(b -> b.maxAttempts(1))
                .build());
        return builder.build();
    }
}
