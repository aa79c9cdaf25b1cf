package io.infermesh.status.projection;

import io.infermesh.contracts.JobStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code infermesh.status.events{outcome, status}}: lifecycle events projected, by what they did. All combinations
 * are registered up front so that dashboards see zeros rather than missing series.
 */
@Component
class ProjectionMetrics {

    static final String EVENTS = "infermesh.status.events";

    private final Map<Outcome, Map<JobStatus, Counter>> counters = new EnumMap<>(Outcome.class);

    ProjectionMetrics(MeterRegistry registry) {
        for (Outcome outcome : Outcome.values()) {
            Map<JobStatus, Counter> byStatus = new EnumMap<>(JobStatus.class);
            for (JobStatus status : JobStatus.values()) {
                byStatus.put(
                        status,
                        Counter.builder(EVENTS)
                                .description("Job lifecycle events projected into the job store, by outcome")
                                .tag("outcome", outcome.tag())
                                .tag("status", status.name())
                                .register(registry));
            }
            counters.put(outcome, byStatus);
        }
    }

    void projected(JobStatus status, Outcome outcome) {
        counters.get(outcome).get(status).increment();
    }
}
