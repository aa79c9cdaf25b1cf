package io.infermesh.status.projection;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@link ProjectionBenchmarks} projects what it says: whole lives of new jobs. No timing is asserted here. */
class LifecycleEventsTests {

    @Test
    void aBatchIsTheWholeLifeOfEachJobWithDistinctEventIds() {
        List<JobStatusChanged> batch = LifecycleEvents.batch(0, 20, Instant.parse("2026-11-22T19:23:51Z"));
        List<JobStatusChanged> next = LifecycleEvents.batch(20, 20, Instant.parse("2026-11-22T19:23:51Z"));

        assertThat(batch).hasSize(100).extracting(JobStatusChanged::eventId).doesNotHaveDuplicates();
        assertThat(batch.stream().collect(Collectors.groupingBy(JobStatusChanged::jobId))).hasSize(20)
                .allSatisfy((job, events) -> assertThat(events).extracting(JobStatusChanged::status)
                        .containsExactlyElementsOf(LifecycleEvents.STATUSES));
        assertThat(batch.getFirst().input()).isNotNull();
        assertThat(batch.getLast()).satisfies(succeeded -> {
            assertThat(succeeded.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(succeeded.predictions()).isNotEmpty();
            assertThat(succeeded.timings()).isNotNull();
        });
        assertThat(next).extracting(JobStatusChanged::jobId).doesNotContainAnyElementsOf(
                batch.stream().map(JobStatusChanged::jobId).toList());
    }
}
