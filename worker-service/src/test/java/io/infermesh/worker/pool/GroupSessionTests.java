package io.infermesh.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.infermesh.worker.WorkerProperties;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/** What the workers ask of their group so that a dead instance is fenced in seconds (ADR 0018). */
class GroupSessionTests {

    private static WorkerProperties.Pool pool(String protocol, Duration session, Duration heartbeat) {
        return new WorkerProperties.Pool(0, 2, null, null, 0, null, null, 0, null, null, protocol, session, heartbeat);
    }

    @Test
    void byDefaultTheGroupIsAskedForASixSecondSessionAndOneSecondHeartbeats() {
        WorkerProperties.Pool defaults = pool(null, null, null);

        assertThat(GroupSession.groupConfigs(defaults))
                .containsOnly(
                        entry("consumer.session.timeout.ms", "6000"), entry("consumer.heartbeat.interval.ms", "1000"));
        assertThat(GroupSession.consumerProperties(defaults))
                .as("the consumer protocol: set on the group, not here")
                .isEmpty();
    }

    @Test
    void withTheClassicProtocolTheConsumersCarryTheSessionThemselves() {
        var classic = pool("classic", Duration.ofSeconds(10), Duration.ofSeconds(2));

        assertThat(GroupSession.consumerProperties(classic))
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000)
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
    }

    @Test
    void aHeartbeatNoShorterThanTheSessionIsRefusedAtStartUp() {
        assertThatThrownBy(() -> pool(null, Duration.ofSeconds(3), Duration.ofSeconds(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("infermesh.worker.pool.heartbeat-interval (PT3S) must be shorter than session-timeout "
                        + "(PT3S)");
    }
}
