package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@WithLocalInfra
class QuietLoggingTests {

    @Test
    void serverLoggersAreAtWarnAndStaySoAfterALogbackReset(LocalKafka kafka) throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getLogger("kafka").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.gaul").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.apache.kafka.clients").getLevel())
                .as("configured in logback-test.xml, not by QuietLogging")
                .isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.infermesh").getLevel()).isEqualTo(Level.INFO);

        // What Spring Boot does when it initialises logging: reset, then apply its configuration.
        context.reset();
        try {
            assertThat(context.getLogger("kafka").getLevel()).isEqualTo(Level.WARN);
            assertThat(context.getLogger("org.apache.kafka.raft").getLevel()).isEqualTo(Level.WARN);
            assertThat(context.getLogger("io.zonky.test.db.postgres").getLevel())
                    .isEqualTo(Level.WARN);
            assertThat(context.getLogger("org.apache.kafka.clients").getLevel()).isNull();
        } finally {
            new ContextInitializer(context).autoConfig();
        }
        assertThat(context.getLogger("kafka").getLevel()).isEqualTo(Level.WARN);
        assertThat(kafka.bootstrapServers()).isNotBlank();
    }
}
