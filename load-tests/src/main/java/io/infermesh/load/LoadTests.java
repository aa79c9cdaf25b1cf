package io.infermesh.load;

import java.util.Arrays;

/**
 * The benchmark harness: {@code <scenario> [--name=value ...]} against a running mesh (the local one by default).
 * Scenarios: {@code latency}, {@code paper-table2}, {@code throughput}, {@code raw-engine}, {@code ingest}, and
 * {@code placement-sim} and {@code jmh}, which need no mesh. Options: {@code --s3=URL --kafka=HOST:PORT
 * --bucket=NAME --access-key=K --secret-key=S --model=NAME --image=PATH --jobs=N --out=DIR}; the scenarios that call
 * a service's HTTP API or actuator ({@code status-bench}, {@code cold-start}) also {@code --issuer=URL --client-id=ID
 * --client-secret=S} (the operator machine client, see {@link OperatorToken}); placement-sim:
 * {@code --jobs=N --seed=N --hours=H}; jmh: {@code --include=REGEX --forks=N --warmups=N --iterations=N
 * --seconds=S}.
 */
public final class LoadTests {

    private LoadTests() {
    }

    private static final String SCENARIOS = "latency | cold-start | paper-table2 | throughput | raw-engine | ingest"
            + " | placement-sim | status-bench | jmh";

    public static void main(String[] args) throws Exception {
        // -Dinfermesh.args="paper-table2 --jobs=10" arrives as one argument through Maven; split it
        String[] words = String.join(" ", args).trim().split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw new IllegalArgumentException("name a scenario: " + SCENARIOS);
        }
        Options options = new Options(Arrays.asList(words).subList(1, words.length));
        switch (words[0]) {
            case "latency" -> Latency.run(options);
            case "cold-start" -> ColdStart.run(options);
            case "paper-table2" -> PaperTable2.run(options);
            case "throughput" -> Throughput.run(options);
            case "raw-engine" -> RawEngine.run(options);
            case "ingest" -> IngestThroughput.run(options);
            case "placement-sim" -> PlacementSim.run(options);
            case "status-bench" -> StatusBench.run(options);
            case "jmh" -> HotPathBenchmarks.run(options);
            default -> throw new IllegalArgumentException("unknown scenario " + words[0] + "; use " + SCENARIOS);
        }
    }
}
