package io.infermesh.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatenciesTests {

    @Test
    void percentilesOfAKnownDistributionAndItsHgrmFile() {
        Latencies latencies = new Latencies();
        for (int ms = 1; ms <= 1000; ms++) {
            latencies.recordMs(ms);
        }
        assertThat(latencies.count()).isEqualTo(1000);
        assertThat(latencies.ms(50)).isCloseTo(500, within(1.0));
        assertThat(latencies.ms(99)).isCloseTo(990, within(1.0));
        assertThat(latencies.maxMs()).isCloseTo(1000, within(1.0));
        assertThat(latencies.row()).startsWith("1.0 | 500.");
        assertThat(latencies.hgrm()).contains("Value     Percentile TotalCount").contains("#[Max     =");
    }
}
