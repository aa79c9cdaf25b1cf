package io.infermesh.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.router.placement.Estimates;
import io.infermesh.router.placement.PriceTable;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** What an operator writes under {@code infermesh.router} is what the policy gets; what they leave out keeps its default. */
class RouterPropertiesTests {

    private static RouterProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("infermesh.router", RouterProperties.class);
    }

    @Test
    void oneOverriddenPriceOrEstimateLeavesTheOthersAtTheirDefaults() {
        RouterProperties properties = bind(Map.of(
                "infermesh.router.prices.onprem-usd-per-slot-second", "0.0000622",
                "infermesh.router.estimates.onprem-slots", "8",
                "infermesh.router.resilience.open-for", "5s",
                "infermesh.router.aws.enabled", "true",
                "infermesh.router.aws.endpoint", "http://127.0.0.1:5000"));

        PriceTable prices = properties.prices().table();
        assertThat(prices.onpremUsdPerSlotSecond()).isEqualTo(0.0000622);
        assertThat(prices.lambdaUsdPerMsAt2048Mb())
                .isEqualTo(PriceTable.defaults().lambdaUsdPerMsAt2048Mb());
        Estimates estimates = properties.estimates().estimates();
        assertThat(estimates.onpremSlots()).isEqualTo(8);
        assertThat(estimates.batchColdStartSeconds())
                .isEqualTo(Estimates.defaults().batchColdStartSeconds());
        assertThat(properties.resilience().settings().openFor()).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.resilience().settings().retryAttempts()).isEqualTo(3);
        assertThat(properties.aws().enabled()).isTrue();
        assertThat(properties.aws().endpoint()).hasToString("http://127.0.0.1:5000");
    }

    @Test
    void nothingConfiguredMeansThePapersPricesOnPremOnlyAndDefaultPolling() {
        RouterProperties properties = bind(Map.of("infermesh.router.models-dir", "models"));
        assertThat(properties.prices().table()).isEqualTo(PriceTable.defaults());
        assertThat(properties.estimates().estimates()).isEqualTo(Estimates.defaults());
        assertThat(properties.aws().enabled()).isFalse();
        assertThat(properties.batchPoll().interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.resultsPrefix()).isEqualTo("results/");
        assertThat(properties.pools().staleness())
                .as("four of the workers' 5 s status intervals")
                .isEqualTo(Duration.ofSeconds(20));
        assertThat(properties.pools().modelLoadSeconds()).isEqualTo(0.5);
    }

    @Test
    void thePoolStatusStalenessIsConfigurable() {
        RouterProperties properties = bind(Map.of("infermesh.router.pools.staleness", "45s"));
        assertThat(properties.pools().staleness()).isEqualTo(Duration.ofSeconds(45));
        assertThat(properties.pools().modelLoadSeconds()).isEqualTo(0.5);
    }
}
