package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@WithLocalInfra
class LocalInfraExtensionTests {

    /** The bundle the first of the test classes below saw; every class must see the same one. */
    static final AtomicReference<LocalInfra> SEEN = new AtomicReference<>();

    @Test
    void resolvesTheSharedBundleAndItsComponents(LocalInfra infra, LocalKafka kafka) {
        SEEN.compareAndSet(null, infra);
        assertThat(infra).isSameAs(SEEN.get()).isSameAs(LocalInfraExtension.infra());
        assertThat(infra.settings()).isEqualTo(LocalInfra.Settings.randomPorts());
        assertThat(infra.isClosed()).isFalse();
        assertThat(kafka).isSameAs(infra.kafka());
        assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
    }
}
