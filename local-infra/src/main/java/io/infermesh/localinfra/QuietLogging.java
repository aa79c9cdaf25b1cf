package io.infermesh.localinfra;

import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Turns the chatty INFO logging of the embedded servers (Kafka broker internals, S3Proxy and its Jetty, the PostgreSQL
 * process output) down to WARN when Logback is the SLF4J backend. Only loggers without an explicitly configured level
 * are touched, and the levels survive a Logback reset (Spring Boot resets Logback when it starts), so an application's
 * own {@code logging.level.*} settings still win. Disable with {@code -Dinfermesh.localinfra.verbose=true}.
 */
final class QuietLogging {

    /**
     * Server-side loggers, plus Kafka's configuration dumps ({@code AbstractConfig}: the broker prints its ~200-line
     * {@code KafkaConfig values} several times per start; clients' {@code ProducerConfig values} etc. go too). The
     * rest of the Kafka client packages ({@code org.apache.kafka.clients}) is left alone.
     */
    static final List<String> QUIET_LOGGERS = List.of(
            "org.apache.kafka.common.config.AbstractConfig",
            "kafka",
            "state.change.logger",
            "org.apache.kafka.server",
            "org.apache.kafka.controller",
            "org.apache.kafka.raft",
            "org.apache.kafka.metadata",
            "org.apache.kafka.image",
            "org.apache.kafka.storage",
            "org.apache.kafka.coordinator",
            "org.apache.kafka.queue",
            "org.apache.kafka.snapshot",
            "org.apache.kafka.security",
            "org.apache.kafka.network",
            "org.apache.kafka.logger",
            "org.gaul",
            "io.zonky.test.db.postgres");

    private static volatile boolean installed;

    private QuietLogging() {}

    static void apply() {
        if (installed || Boolean.getBoolean("infermesh.localinfra.verbose")) {
            return;
        }
        synchronized (QuietLogging.class) {
            if (installed) {
                return;
            }
            installed = true;
            try {
                if ("ch.qos.logback.classic.LoggerContext"
                        .equals(LoggerFactory.getILoggerFactory().getClass().getName())) {
                    LogbackQuieter.install(QUIET_LOGGERS);
                }
            } catch (LinkageError | RuntimeException e) {
                // Logging cosmetics must never stop the infrastructure from starting.
            }
        }
    }
}
