package io.infermesh.faults;

import io.infermesh.mesh.LocalMesh;
import io.infermesh.mesh.ProcessMesh;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The fault suite (issue 13, ADR 0022): starts the mesh with each service as its own process ({@link ProcessMesh}),
 * then per scenario drives a workload of S3 uploads across the example models, injects one fault at a random moment,
 * waits for quiet and checks from the outside that no job was lost, duplicated or left stuck and that every job's
 * lifecycle is legal. Prints the table and writes {@code summary.md} and {@code data.csv}.
 *
 * <pre>
 * ./mvnw -q -DskipTests -pl fault-harness -am install exec:exec -Dinfermesh.args="--jobs=150 --scenarios=kill-worker"
 * </pre>
 */
public final class FaultHarness {

    private FaultHarness() {}

    /** Every scenario by name, in the order the suite runs them. */
    static Map<String, Fault> scenarios() {
        Map<String, Fault> all = new LinkedHashMap<>();
        all.put("kill-worker", Fault.killWorkerMidInference("worker-service-1"));
        all.put("kill-router", Fault.kill("kill-router", "router-service-1", "placing jobs"));
        all.put("kill-ingest", Fault.kill("kill-ingest", "ingest-service", "reading notifications"));
        all.put("kill-status", Fault.kill("kill-status", "status-service", "projecting the lifecycle"));
        all.put("kafka-restart", Fault.kafka(Duration.ofSeconds(10)));
        all.put("postgres-30s", Fault.postgres(Duration.ofSeconds(30)));
        all.put("s3-30s", Fault.s3(Duration.ofSeconds(30)));
        all.put("duplicate-burst", Fault.duplicateBurst(2));
        return all;
    }

    /** Options of the command line, {@code --name=value}. */
    record Options(
            List<String> scenarios,
            int jobs,
            double perSecond,
            Duration bound,
            int routers,
            int workers,
            long seed,
            Path out) {

        static Options parse(String... args) {
            Map<String, String> given = new HashMap<>();
            // exec:exec passes -Dinfermesh.args as one argument: split it
            for (String arg : String.join(" ", args).trim().split("\\s+")) {
                if (arg.isBlank()) {
                    continue;
                }
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    throw new IllegalArgumentException("options are --name=value, not " + arg);
                }
                given.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            List<String> scenarios = given.containsKey("scenarios")
                    ? Arrays.asList(given.remove("scenarios").split(","))
                    : List.copyOf(FaultHarness.scenarios().keySet());
            for (String s : scenarios) {
                if (!FaultHarness.scenarios().containsKey(s)) {
                    throw new IllegalArgumentException("no scenario " + s + "; there are "
                            + FaultHarness.scenarios().keySet());
                }
            }
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Options options = new Options(
                    scenarios,
                    Integer.parseInt(given.getOrDefault("jobs", "150")),
                    Double.parseDouble(given.getOrDefault("rate", "5")),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("bound", "180"))),
                    Integer.parseInt(given.getOrDefault("routers", "2")),
                    Integer.parseInt(given.getOrDefault("workers", "2")),
                    Long.parseLong(given.getOrDefault("seed", String.valueOf(System.currentTimeMillis()))),
                    Path.of(given.getOrDefault("out", "fault-harness/results/" + stamp)));
            given.keySet().removeAll(List.of("jobs", "rate", "bound", "routers", "workers", "seed", "out"));
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + given.keySet()
                        + "; known: --scenarios --jobs --rate --bound --routers --workers --seed --out");
            }
            return options;
        }
    }

    /** Runs the scenarios against one mesh and returns their rows. */
    static List<Report.Row> run(Options options, Path projectDir) {
        ProcessMesh.Settings settings = ProcessMesh.Settings.randomPorts(
                projectDir, options.out().resolve("logs"), options.routers(), options.workers());
        System.out.printf(
                "fault-harness: starting the mesh as processes (%d routers, %d workers), seed %d%n",
                options.routers(), options.workers(), options.seed());
        long started = System.nanoTime();
        List<Report.Row> rows = new ArrayList<>();
        try (ProcessMesh mesh = ProcessMesh.start(settings, line -> System.out.println("  " + line))) {
            System.out.printf(
                    "fault-harness: mesh ready in %.1f s; logs in %s%n",
                    (System.nanoTime() - started) / 1e9, options.out().resolve("logs"));
            Random random = new Random(options.seed());
            ScenarioRun runner = new ScenarioRun(
                    mesh,
                    Workload.examples(projectDir.resolve("models")),
                    new ScenarioRun.Plan(options.jobs(), options.perSecond(), options.bound(), Duration.ofSeconds(5)),
                    random);
            for (String name : options.scenarios()) {
                Fault fault = scenarios().get(name);
                String owner = "f" + Long.toString(options.seed() % 1_000_000, 36) + "-" + name;
                System.out.printf("fault-harness: %s, %d jobs at %.0f/s%n", name, options.jobs(), options.perSecond());
                ScenarioRun.Outcome outcome = runner.run(fault, owner);
                Report.Row row = new Report.Row(name, fault.description(), outcome);
                rows.add(row);
                System.out.print(Report.markdown(List.of(row))
                                .lines()
                                .skip(2)
                                .findFirst()
                                .orElse("") + "\n");
                outcome.verdict().problems().stream().limit(5).forEach(p -> System.out.println("    " + p));
            }
        }
        return rows;
    }

    public static void main(String[] args) {
        Options options = Options.parse(args);
        // the infrastructure and the provider log here; the console keeps warnings and the table
        LocalMesh.logToFile(options.out().resolve("logs/infrastructure.log"));
        List<Report.Row> rows = run(options, Path.of("").toAbsolutePath());
        String header = "# Fault suite, %s\n\n%d jobs per scenario at %.0f uploads/s, %d routers, %d workers, seed %d,"
                        .formatted(
                                LocalDateTime.now().withNano(0),
                                options.jobs(),
                                options.perSecond(),
                                options.routers(),
                                options.workers(),
                                options.seed())
                + " bound %d s after the last upload.".formatted(options.bound().toSeconds());
        Report.write(options.out(), header, rows);
        System.out.println();
        System.out.print(Report.markdown(rows));
        System.out.println(
                "\nfault-harness: written to " + options.out().toAbsolutePath().resolve("summary.md"));
        boolean clean = rows.stream().allMatch(r -> r.outcome().verdict().clean());
        System.exit(clean ? 0 : 1);
    }
}
