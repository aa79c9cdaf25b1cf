package io.infermesh.router.backend;

import io.infermesh.events.JobEventSender;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The on-prem pool as a {@link ComputeBackend} bean. The cloud backends are beans of the {@code aws} package when AWS
 * is enabled; the routing configuration puts every {@link ComputeBackend} bean into {@link Backends}.
 */
@Configuration(proxyBeanMethods = false)
class BackendsConfiguration {

    @Bean
    OnPremBackend onPremBackend(JobEventSender events) {
        return new OnPremBackend(events);
    }
}
