package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

@WithLocalInfra
class LocalInfraExtensionSharingTests {

    @Test
    void anotherTestClassGetsTheSameBundle(LocalInfra infra, LocalPostgres postgres) {
        LocalInfraExtensionTests.SEEN.compareAndSet(null, infra);
        assertThat(infra).isSameAs(LocalInfraExtensionTests.SEEN.get()).isSameAs(LocalInfraExtension.infra());
        assertThat(postgres).isSameAs(infra.postgres());
    }
}
