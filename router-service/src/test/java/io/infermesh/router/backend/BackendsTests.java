package io.infermesh.router.backend;

import static io.infermesh.router.CloudJobFixtures.card;
import static io.infermesh.router.CloudJobFixtures.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The resilience around every cloud backend: retries, rate limits and an absent backend's reason. */
class BackendsTests {

    @Test
    void transientFailuresAreRetriedWithBackoffAndRejectionsAreNot() {
        AtomicInteger calls = new AtomicInteger();
        ComputeBackend flaky = new ComputeBackend() {
            @Override
            public String id() {
                return "batch";
            }

            @Override
            public Handle dispatch(JobDispatched job, ModelCard model) {
                if (calls.incrementAndGet() < 3) {
                    throw new BackendException(BackendException.Kind.THROTTLED, "slow down", null);
                }
                return new Handle("b-" + calls.get(), "accepted");
            }
        };
        Backends backends = new Backends(new Backends.Resilience(
                        50, 10, 10, Duration.ofSeconds(30), 3, Duration.ofMillis(5), 100, Duration.ofSeconds(5)))
                .register(flaky);
        assertThat(backends.dispatch(job(Backend.BATCH, 1), card(null, "q", "d"))
                        .id())
                .isEqualTo("b-3");

        AtomicInteger rejected = new AtomicInteger();
        Backends strict = new Backends(Backends.Resilience.defaults()).register(new ComputeBackend() {
            @Override
            public String id() {
                return "lambda";
            }

            @Override
            public Handle dispatch(JobDispatched job, ModelCard model) {
                rejected.incrementAndGet();
                throw new BackendException(BackendException.Kind.REJECTED, "no such function", null);
            }
        });
        assertThatThrownBy(() -> strict.dispatch(job(Backend.LAMBDA, 1), card("f", null, null)))
                .hasMessageContaining("no such function");
        assertThat(rejected).hasValue(1);
    }

    @Test
    void awsCallsBeyondTheRateLimitAreRefusedAsThrottledWithoutReachingTheBackend() {
        AtomicInteger calls = new AtomicInteger();
        ComputeBackend counting = new ComputeBackend() {
            @Override
            public String id() {
                return "lambda";
            }

            @Override
            public Handle dispatch(JobDispatched job, ModelCard model) {
                return new Handle("r-" + calls.incrementAndGet(), "accepted");
            }
        };
        Backends backends = new Backends(new Backends.Resilience(
                        50, 100, 100, Duration.ofSeconds(30), 1, Duration.ofMillis(5), 1, Duration.ZERO))
                .register(counting);
        List<String> refusals = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 20; i++) {
            try {
                backends.dispatch(job(Backend.LAMBDA, 1), card("f", null, null));
            } catch (BackendException e) {
                assertThat(e.kind()).isEqualTo(BackendException.Kind.THROTTLED);
                refusals.add(e.getMessage());
            }
        }
        // one call per second: 20 calls in a burst get one through (two if the burst straddles a second)
        assertThat(calls.get()).isBetween(1, 2);
        assertThat(refusals)
                .hasSize(20 - calls.get())
                .allSatisfy(m -> assertThat(m).contains("rate limit"));
    }

    @Test
    void anUnconfiguredBackendSaysWhy() {
        Backends backends = new Backends(Backends.Resilience.defaults())
                .absent(Backend.LAMBDA, "AWS is not configured for this router");
        assertThat(backends.unavailable(Backend.LAMBDA)).contains("AWS is not configured for this router");
        assertThatThrownBy(() -> backends.dispatch(job(Backend.LAMBDA, 1), card("f", null, null)))
                .hasMessageContaining("AWS is not configured");
    }
}
