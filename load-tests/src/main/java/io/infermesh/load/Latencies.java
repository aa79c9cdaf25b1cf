package io.infermesh.load;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Latencies in an HdrHistogram (microsecond resolution, three significant digits, up to an hour): percentiles that do
 * not depend on how many samples there are, and the full distribution as an {@code .hgrm} file that HdrHistogram's
 * plotter reads.
 */
final class Latencies {

    private final Histogram histogram = new Histogram(3_600_000_000L, 3);

    void recordMs(double ms) {
        histogram.recordValue(Math.max(0, Math.round(ms * 1000)));
    }

    long count() {
        return histogram.getTotalCount();
    }

    /** The value at a percentile (0–100), in ms; 0 when empty. */
    double ms(double percentile) {
        return count() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMs() {
        return count() == 0 ? 0 : histogram.getMaxValue() / 1000.0;
    }

    double minMs() {
        return count() == 0 ? 0 : histogram.getMinValue() / 1000.0;
    }

    /** {@code min | p50 | p90 | p99 | p99.9 | max} in ms, for a Markdown table. */
    String row() {
        return String.format(
                Locale.ROOT,
                "%.1f | %.1f | %.1f | %.1f | %.1f | %.1f",
                minMs(),
                ms(50),
                ms(90),
                ms(99),
                ms(99.9),
                maxMs());
    }

    /** The percentile distribution in ms, HdrHistogram's text format. */
    String hgrm() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        histogram.outputPercentileDistribution(new PrintStream(out, true, StandardCharsets.UTF_8), 1000.0);
        return out.toString(StandardCharsets.UTF_8);
    }
}
