package io.infermesh.router.flatrate;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** The configuration that registers {@link FlatRateBackend}: the router collects it as a backend and a price model. */
@TestConfiguration(proxyBeanMethods = false)
public class FlatRateConfiguration {

    /** $0.00001 a job, 1 s to start, models up to 4,096 MB. */
    @Bean
    FlatRateBackend flatRateBackend() {
        return new FlatRateBackend(0.00001, 1, 4_096);
    }
}
