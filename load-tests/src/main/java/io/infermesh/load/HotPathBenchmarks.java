package io.infermesh.load;

import io.infermesh.status.projection.ProjectionBenchmarks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The {@code jmh} scenario: JMH microbenchmarks of three hot paths, no mesh needed: ingest's notification parsing
 * ({@code NotificationParsingBenchmarks}), the router's placement decision ({@code PlacementBenchmarks}) and status's
 * projection into an embedded PostgreSQL ({@code ProjectionBenchmarks}). Options: {@code --include=REGEX} (case
 * insensitive, against the benchmark's full name, e.g. {@code placement}), {@code --forks=1 --warmups=3
 * --iterations=5 --seconds=2}. Writes JMH's JSON and CSV and a summary with allocation per operation (JMH's GC
 * profiler).
 */
final class HotPathBenchmarks {

    static final String ALL = "io\\.infermesh\\..*\\.(NotificationParsing|Placement|Projection)Benchmarks\\.";

    /** What each benchmark measures, for the summary. */
    static final Map<String, String> WHAT = Map.of(
            "minioKafkaOneRecord", "MinIO Kafka notification, 1 record: bytes → job ids",
            "minioKafkaTenRecords", "MinIO Kafka notification, 10 records: bytes → job ids",
            "sqsS3Event", "AWS S3 event on SQS, 1 record: body → job ids",
            "sqsSnsWrappedS3Event", "SNS-wrapped S3 event on SQS, 1 record: body → job ids",
            "inboxClassifyOnly", "Inbox.classify of one parsed record (key checks, job id)",
            "autoWarm", "PlacementPolicy.place, auto, 3 backends, all warm, pool idle → on-prem",
            "autoBusy", "PlacementPolicy.place, auto, 3 backends, pool 66 s behind a 60 s deadline → Lambda",
            "projectBatch", "JobProjectionStore.project, 100 events (PENDING..SUCCEEDED × 20 jobs), one transaction "
                    + "each (what the service did before its consumer ran in batch mode)",
            "projectBatchInOneTransaction", "the same 100 events in one transaction, JobProjectionStore.projectAll "
                    + "(as the service does)");

    private HotPathBenchmarks() {
    }

    static void run(Options options) throws RunnerException, IOException {
        Report report = new Report(options, "jmh");
        String include = options.get("include") == null ? ALL : "(?i)" + options.get("include");
        int forks = options.getInt("forks", 1);
        int warmups = options.getInt("warmups", 3);
        int iterations = options.getInt("iterations", 5);
        int seconds = options.getInt("seconds", 2);
        Path settingsFile = report.dir().resolve("postgres-settings.txt").toAbsolutePath();
        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include(include)
                .forks(forks)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .jvmArgsAppend("-D" + ProjectionBenchmarks.SETTINGS_FILE_PROPERTY + "=" + settingsFile)
                .result(report.dir().resolve("jmh.json").toString())
                .resultFormat(ResultFormatType.JSON);
        if (forks == 0) {
            System.setProperty(ProjectionBenchmarks.SETTINGS_FILE_PROPERTY, settingsFile.toString());
        }
        long started = System.nanoTime();
        Collection<RunResult> results = new Runner(jmh.build()).run();
        double minutes = (System.nanoTime() - started) / 60e9;
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no benchmark matches " + include);
        }
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(csv, true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.CSV, out).writeOut(results);
        }
        report.write("jmh.csv", csv.toString(StandardCharsets.UTF_8));
        String postgres = Files.exists(settingsFile) ? Files.readString(settingsFile) : null;
        String summary = summary(results, forks, warmups, iterations, seconds, minutes, postgres);
        report.write("summary.md", summary);
        System.out.print(summary);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }

    static String summary(Collection<RunResult> results, int forks, int warmups, int iterations, int seconds,
            double minutes, String postgres) {
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing(r -> r.getParams().getBenchmark()));
        BenchmarkParams first = sorted.getFirst().getParams();
        StringBuilder md = new StringBuilder("# jmh: hot paths\n\n");
        md.append(String.format(Locale.ROOT, "%s, %s; %s %s (JDK %s); JMH %s, %d fork(s), %d × %d s warm-up, "
                + "%d × %d s measurement, 1 thread; %.1f min in all.%n%n", LocalDate.now(), machine(),
                first.getVmName(), first.getVmVersion(), first.getJdkVersion(), first.getJmhVersion(), forks, warmups,
                seconds, iterations, seconds, minutes));
        md.append("| benchmark | what | score ± error (99.9 %) | unit | allocated per op | also |\n");
        md.append("|---|---|---:|---|---:|---|\n");
        for (RunResult r : sorted) {
            String benchmark = r.getParams().getBenchmark();
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            String shortName = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            Result<?> primary = r.getPrimaryResult();
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %s ± %s | %s | %s | %s |%n", shortName,
                    WHAT.getOrDefault(method, ""), number(primary.getScore()), number(primary.getScoreError()),
                    primary.getScoreUnit().replace("us/", "µs/"), allocation(r), also(primary)));
        }
        md.append('\n');
        md.append("Scores are JMH's mean over the measurement iterations of the fork(s), with JMH's 99.9 % confidence "
                + "half-width; allocation is JMH's `gc.alloc.rate.norm` (bytes per operation; per event for the "
                + "projection). The projection's operation is one event (`@OperationsPerInvocation(100)`), so its "
                + "score is events/s. Microbenchmarks on a shared 2-core machine: compare runs of the same machine "
                + "only.\n");
        if (postgres != null) {
            md.append("\nProjection database: ").append(postgres).append(".\n");
        }
        md.append("\nFiles: `jmh.json` and `jmh.csv` (JMH's own formats, secondary results included).\n");
        return md.toString();
    }

    private static String also(Result<?> primary) {
        String unit = primary.getScoreUnit();
        double score = primary.getScore();
        if ("us/op".equals(unit) && score > 0) {
            return String.format(Locale.ROOT, "≈ %s ops/s on one thread", number(1e6 / score));
        }
        if ("ops/s".equals(unit) && score > 0) {
            return String.format(Locale.ROOT, "≈ %s ms per 100-event batch", number(1e3 * ProjectionBenchmarks.EVENTS
                    / score));
        }
        return "";
    }

    private static String allocation(RunResult r) {
        for (var entry : r.getSecondaryResults().entrySet()) {
            if (entry.getKey().endsWith("gc.alloc.rate.norm")) {
                return number(entry.getValue().getScore()) + " B";
            }
        }
        return "–";
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        double abs = Math.abs(value);
        String pattern = abs >= 100 ? "%,.0f" : abs >= 10 ? "%.1f" : abs >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, value);
    }

    /** This machine, as far as the JVM can tell. */
    static String machine() {
        String os = System.getProperty("os.name") + " " + System.getProperty("os.arch");
        try {
            Path debian = Path.of("/etc/debian_version");
            if (Files.exists(debian)) {
                os = "Debian " + Files.readString(debian).trim() + " (" + os + ")";
            }
        } catch (IOException e) {
            // the plain name will do
        }
        String cpu = "";
        try {
            Path cpuinfo = Path.of("/proc/cpuinfo");
            if (Files.exists(cpuinfo)) {
                cpu = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
                        .map(l -> ", " + l.substring(l.indexOf(':') + 1).trim()).orElse("");
            }
        } catch (IOException e) {
            // no model name then
        }
        long memory = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os2
                ? os2.getTotalMemorySize() : 0;
        return String.format(Locale.ROOT, "%s, %d cores%s, %.0f GiB", os, Runtime.getRuntime().availableProcessors(),
                cpu, memory / (1024.0 * 1024 * 1024));
    }
}
