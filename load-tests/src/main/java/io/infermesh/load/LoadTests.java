package io.infermesh.load;

import java.util.Arrays;

/**
 * The load harness: {@code <scenario> [--name=value ...]} against a running mesh (the local one by default), through
 * its public surface only: uploads to S3, records of the contracts on Kafka topics, and the services' HTTP APIs.
 * Scenarios: {@code latency}, {@code cold-start}, {@code paper-table2}, {@code throughput}, {@code ingest},
 * {@code status-bench}. Options: {@code --s3=URL --kafka=HOST:PORT --bucket=NAME --access-key=K --secret-key=S
 * --model=NAME --image=PATH --jobs=N --out=DIR}; the scenarios that call a service's HTTP API or actuator
 * ({@code status-bench}, {@code cold-start}) also {@code --issuer=URL --client-id=ID --client-secret=S} (the operator
 * machine client, see {@link OperatorToken}). Benchmarks of a service's own code (JMH, the raw engine, the placement
 * simulation) live in that service's module (load-tests/README.md, "Benchmarks of the services' code").
 */
public final class LoadTests {

    private LoadTests() {}

    private static final String SCENARIOS = "latency | cold-start | paper-table2 | throughput | ingest | status-bench";

    /** Where the scenarios that measured a service's own code went. */
    private static final String MOVED = "jmh, raw-engine and placement-sim run in the services' modules now: see "
            + "load-tests/README.md, \"Benchmarks of the services' code\"";

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
            case "ingest" -> IngestThroughput.run(options);
            case "status-bench" -> StatusBench.run(options);
            case "jmh", "raw-engine", "placement-sim" -> throw new IllegalArgumentException(MOVED);
            default -> throw new IllegalArgumentException("unknown scenario " + words[0] + "; use " + SCENARIOS);
        }
    }
}
