package io.infermesh.status.housekeeping;

import io.infermesh.contracts.ModelCatalogue;
import io.infermesh.events.JobEventSender;
import io.infermesh.status.StatusProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Runs the {@link Reaper} and the {@link Retention} purge on their intervals, on one background thread. */
@Configuration(proxyBeanMethods = false)
class Housekeeping {

    private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

    @Bean
    Reaper reaper(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            StreamBridge bridge,
            JsonMapper json,
            StatusProperties properties) {
        Path models = Path.of(properties.modelsDir());
        ModelCatalogue catalogue;
        if (Files.isDirectory(models)) {
            catalogue = ModelCatalogue.load(models, "infermesh.status.models-dir");
        } else {
            log.warn(
                    "model catalogue {} not found: the reaper gives every model {} plus {} of grace",
                    models.toAbsolutePath(),
                    properties.reaper().defaultTimeout(),
                    properties.reaper().grace());
            catalogue = ModelCatalogue.empty();
        }
        return new Reaper(
                jdbc,
                transactions,
                new JobEventSender(bridge, json, "status-service"),
                catalogue,
                properties.reaper().grace(),
                properties.reaper().defaultTimeout(),
                properties.reaper().quiet(),
                properties.reaper().batchSize());
    }

    @Bean
    SmartLifecycle housekeepingTimer(
            Reaper reaper, JdbcClient jdbc, StatusProperties properties, MeterRegistry meters) {
        var reaped = meters.counter("infermesh.status.reaped");
        var purged = meters.counter("infermesh.status.purged");
        Retention retention =
                new Retention(jdbc, Duration.ofDays(properties.retention().days()));
        return new SmartLifecycle() {
            private ScheduledExecutorService timer;

            @Override
            public void start() {
                timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "status-housekeeping"));
                if (properties.reaper().enabled()) {
                    long every = properties.reaper().interval().toMillis();
                    timer.scheduleWithFixedDelay(
                            () -> {
                                try {
                                    var settled = reaper.sweep(Instant.now());
                                    reaped.increment(settled.size());
                                    settled.forEach(f -> log.warn(
                                            "job {} attempt {} FAILED (STUCK): {}",
                                            f.jobId(),
                                            f.attempt(),
                                            f.message()));
                                } catch (RuntimeException e) {
                                    log.warn("reaper sweep failed; next in {} ms", every, e);
                                }
                            },
                            every,
                            every,
                            TimeUnit.MILLISECONDS);
                }
                if (properties.retention().days() > 0) {
                    long every = properties.retention().interval().toMillis();
                    timer.scheduleWithFixedDelay(
                            () -> {
                                try {
                                    int n = retention.purge(Instant.now());
                                    purged.increment(n);
                                    if (n > 0) {
                                        log.info(
                                                "retention purged {} jobs finished more than {} days ago",
                                                n,
                                                properties.retention().days());
                                    }
                                } catch (RuntimeException e) {
                                    log.warn("retention purge failed; next in {} ms", every, e);
                                }
                            },
                            every,
                            every,
                            TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public void stop() {
                if (timer != null) {
                    timer.shutdownNow();
                }
            }

            @Override
            public boolean isRunning() {
                return timer != null && !timer.isShutdown();
            }
        };
    }
}
