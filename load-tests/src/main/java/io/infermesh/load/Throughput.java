package io.infermesh.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Open-loop load at rising upload rates until the mesh no longer keeps up: per step, {@code rate x --step-seconds}
 * (20) uploads spread evenly; a step is sustained when every job succeeded and completions kept pace (the last job
 * ended within one second of the step's length after its first upload). The figure is the <em>sustained</em> rate:
 * what the highest sustained step achieved; the first step that was not sustained is reported beside it, not as the
 * figure. Per step, side by side: jobs/s, PENDING → SUCCEEDED percentiles, each hop's median and p99 (upload →
 * PENDING on this machine's clock, then between the mesh's own event times), and CPU seconds per job of the mesh's
 * processes, PostgreSQL and this load generator ({@link ProcessCpu}). The raw engine's inferences/s for the same
 * model and input come from {@code --raw-engine=N}, or with {@code --raw-engine=auto} are measured in this run, with
 * the mesh idle, before the first step ({@link RawEngine}); the ratio of the mesh to the raw engine is the
 * sustained rate over that figure.
 */
final class Throughput {

    /** The hops of one job, in the order it makes them. */
    static final List<String> HOPS =
            List.of("upload→PENDING", "PENDING→RUNNABLE", "RUNNABLE→STARTING", "STARTING→RUNNING", "RUNNING→SUCCEEDED");

    private Throughput() {}

    record Step(
            int offered,
            double achieved,
            Latencies latencies,
            Map<String, Latencies> hops,
            Map<String, Double> cpuSeconds,
            int jobs,
            boolean sustained) {
        double p50() {
            return latencies.ms(50);
        }

        double p99() {
            return latencies.ms(99);
        }

        /** CPU milliseconds per job of one process group. */
        double cpuMsPerJob(String group) {
            return 1000 * cpuSeconds.getOrDefault(group, 0.0) / jobs;
        }
    }

    static void run(Options options) throws Exception {
        int stepSeconds = options.getInt("step-seconds", 20);
        String rawOption = options.get("raw-engine");
        byte[] image = Files.readAllBytes(Path.of(options.get("image")));
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Step> steps = new ArrayList<>();
        double raw = Double.NaN;
        String rawSource = null;
        try (MeshClient mesh = new MeshClient(options);
                ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
                ExecutorService uploaders = Executors.newFixedThreadPool(16)) {
            String warm = "inbox/" + options.get("model") + "/throughput/" + run + "/warm.png";
            mesh.upload(warm, image, "image/png");
            mesh.awaitTerminal(warm, Duration.ofSeconds(60));
            if ("auto".equals(rawOption)) {
                raw = RawEngine.measure(options);
                rawSource = "measured in this run (worker-service's RawEngineBenchmarks, 2 threads) with the mesh idle";
            } else if (rawOption != null) {
                raw = options.getDouble("raw-engine", Double.NaN);
                rawSource = "given (--raw-engine)";
            }
            for (int rate = options.getInt("start-rate", 10); rate <= options.getInt("max-rate", 640); rate *= 2) {
                Step step = step(mesh, clock, uploaders, options, run, image, rate, stepSeconds);
                steps.add(step);
                System.out.printf(
                        Locale.ROOT,
                        "offered %4d jobs/s -> %6.1f jobs/s, PENDING->SUCCEEDED p50 %7.1f ms, p99 %7.1f ms,"
                                + " mesh CPU %.1f ms/job%s%n",
                        rate,
                        step.achieved(),
                        step.p50(),
                        step.p99(),
                        meshCpuMsPerJob(step),
                        step.sustained() ? "" : "  (not sustained)");
                if (!step.sustained()) {
                    break;
                }
            }
        }
        report(options, steps, raw, rawSource, stepSeconds);
    }

    private static Step step(
            MeshClient mesh,
            ScheduledExecutorService clock,
            ExecutorService uploaders,
            Options options,
            String run,
            byte[] image,
            int rate,
            int stepSeconds)
            throws Exception {
        int jobs = rate * stepSeconds;
        List<String> keys = new ArrayList<>();
        Map<String, Instant> uploadedAt = new ConcurrentHashMap<>();
        List<Future<?>> uploads = new ArrayList<>();
        long periodNanos = 1_000_000_000L / rate;
        Map<String, Double> cpuBefore = ProcessCpu.snapshot();
        Instant begin = Instant.now();
        for (int i = 0; i < jobs; i++) {
            String key = "inbox/" + options.get("model") + "/throughput/" + run + "/r" + rate + "-" + i + ".png";
            keys.add(key);
            uploads.add(clock.schedule(
                    () -> uploaders.submit(() -> {
                        uploadedAt.put(key, Instant.now());
                        mesh.upload(key, image, "image/png");
                    }),
                    i * periodNanos,
                    TimeUnit.NANOSECONDS));
        }
        for (Future<?> upload : uploads) {
            ((Future<?>) upload.get()).get();
        }
        Latencies latencies = new Latencies();
        Map<String, Latencies> hops = new LinkedHashMap<>();
        HOPS.forEach(hop -> hops.put(hop, new Latencies()));
        Instant lastDone = begin;
        boolean allSucceeded = true;
        for (String key : keys) {
            MeshClient.Trace trace = mesh.awaitTerminal(key, Duration.ofSeconds(120));
            if (trace.failure() != null) {
                allSucceeded = false;
                continue;
            }
            Map<MeshClient.Status, Instant> at = trace.reached();
            Instant done = at.get(MeshClient.Status.SUCCEEDED);
            latencies.recordMs(millis(at.get(MeshClient.Status.PENDING), done));
            record(hops.get(HOPS.get(0)), uploadedAt.get(key), at.get(MeshClient.Status.PENDING));
            record(hops.get(HOPS.get(1)), at.get(MeshClient.Status.PENDING), at.get(MeshClient.Status.RUNNABLE));
            record(hops.get(HOPS.get(2)), at.get(MeshClient.Status.RUNNABLE), at.get(MeshClient.Status.STARTING));
            record(hops.get(HOPS.get(3)), at.get(MeshClient.Status.STARTING), at.get(MeshClient.Status.RUNNING));
            record(hops.get(HOPS.get(4)), at.get(MeshClient.Status.RUNNING), done);
            lastDone = done.isAfter(lastDone) ? done : lastDone;
        }
        Map<String, Double> cpu = ProcessCpu.since(cpuBefore, ProcessCpu.snapshot());
        double elapsed = millis(begin, lastDone) / 1000;
        double achieved = latencies.count() / elapsed;
        boolean sustained = allSucceeded && elapsed <= stepSeconds + 1.0;
        return new Step(rate, achieved, latencies, hops, cpu, jobs, sustained);
    }

    private static void record(Latencies hop, Instant from, Instant to) {
        if (from != null && to != null) {
            hop.recordMs(millis(from, to));
        }
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    /** CPU ms per job of the mesh's own processes (not PostgreSQL, not the load generator). */
    static double meshCpuMsPerJob(Step step) {
        return step.cpuSeconds().keySet().stream()
                .filter(g -> !g.equals(ProcessCpu.POSTGRES) && !g.equals(ProcessCpu.LOAD_GENERATOR))
                .mapToDouble(step::cpuMsPerJob)
                .sum();
    }

    /** The sustained figure: what the highest sustained step achieved, or 0 when none was. */
    static double sustainedRate(List<Step> steps) {
        return steps.stream()
                .filter(Step::sustained)
                .mapToDouble(Step::achieved)
                .reduce((first, last) -> last)
                .orElse(0);
    }

    private static void report(Options options, List<Step> steps, double raw, String rawSource, int stepSeconds) {
        List<String> groups = steps.stream()
                .flatMap(s -> s.cpuSeconds().keySet().stream())
                .distinct()
                .sorted()
                .toList();
        StringBuilder md = new StringBuilder("# throughput\n\n" + stepSeconds + " s per step. PENDING → SUCCEEDED"
                + " per step, HdrHistogram (ms).\n\n"
                + "| offered (jobs/s) | achieved (jobs/s) | min | p50 | p90 | p99 | p99.9 | max | sustained |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        StringBuilder csv = new StringBuilder("offered,achieved,min_ms,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,sustained");
        HOPS.forEach(hop -> csv.append(',')
                .append(column(hop))
                .append("_p50_ms,")
                .append(column(hop))
                .append("_p99_ms"));
        groups.forEach(g -> csv.append(",cpu_ms_per_job_").append(column(g)));
        csv.append('\n');
        Report report = new Report(options, "throughput");
        for (Step s : steps) {
            Latencies l = s.latencies();
            md.append(String.format(
                    Locale.ROOT,
                    "| %d | %.1f | %s | %s |%n",
                    s.offered(),
                    s.achieved(),
                    l.row(),
                    s.sustained() ? "yes" : "no"));
            csv.append(String.format(
                    Locale.ROOT,
                    "%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%s",
                    s.offered(),
                    s.achieved(),
                    l.minMs(),
                    l.ms(50),
                    l.ms(90),
                    l.ms(99),
                    l.ms(99.9),
                    l.maxMs(),
                    s.sustained()));
            HOPS.forEach(hop -> csv.append(String.format(
                    Locale.ROOT,
                    ",%.3f,%.3f",
                    s.hops().get(hop).ms(50),
                    s.hops().get(hop).ms(99))));
            groups.forEach(g -> csv.append(String.format(Locale.ROOT, ",%.3f", s.cpuMsPerJob(g))));
            csv.append('\n');
            report.write("latency-" + s.offered() + ".hgrm", l.hgrm());
        }
        md.append("\nEach hop, p50 / p99 (ms; upload → PENDING from this machine's clock at the upload's start to"
                + " ingest's event time, the others between the mesh's event times):\n\n| offered |");
        HOPS.forEach(hop -> md.append(' ').append(hop).append(" |"));
        md.append("\n|---:|").append("---:|".repeat(HOPS.size())).append('\n');
        for (Step s : steps) {
            md.append("| ").append(s.offered()).append(" |");
            HOPS.forEach(hop -> md.append(String.format(
                    Locale.ROOT,
                    " %.1f / %.1f |",
                    s.hops().get(hop).ms(50),
                    s.hops().get(hop).ms(99))));
            md.append('\n');
        }
        if (groups.isEmpty()) {
            md.append("\nNo CPU figures: this system has no /proc.\n");
        } else {
            md.append("\nCPU per job (ms of user + system time from /proc, each step's uploads to its last"
                    + " completion; the load generator shares the cores):\n\n| offered |");
            groups.forEach(g -> md.append(' ').append(g).append(" |"));
            md.append(" mesh total |\n|---:|")
                    .append("---:|".repeat(groups.size() + 1))
                    .append('\n');
            for (Step s : steps) {
                md.append("| ").append(s.offered()).append(" |");
                groups.forEach(g -> md.append(String.format(Locale.ROOT, " %.2f |", s.cpuMsPerJob(g))));
                md.append(String.format(Locale.ROOT, " %.2f |%n", meshCpuMsPerJob(s)));
            }
        }
        double sustained = sustainedRate(steps);
        md.append(String.format(Locale.ROOT, "%nSustained: **%.1f jobs/s**", sustained));
        steps.stream()
                .filter(s -> !s.sustained())
                .findFirst()
                .ifPresent(s -> md.append(String.format(
                        Locale.ROOT,
                        " (the %d jobs/s step was not sustained: it achieved %.1f)",
                        s.offered(),
                        s.achieved())));
        md.append(
                Double.isNaN(raw)
                        ? "; no raw-engine figure (--raw-engine=auto measures it in this run, --raw-engine=N takes"
                                + " one), so no ratio.\n"
                        : String.format(
                                Locale.ROOT,
                                "; raw engine %.0f inferences/s, %s; ratio %.4f.%n",
                                raw,
                                rawSource,
                                sustained / raw));
        report.write("summary.md", md.toString());
        report.write("data.csv", csv.toString());
        List<String> labels = steps.stream().map(s -> s.offered() + "/s").toList();
        report.barPanels(
                "chart.png",
                "throughput: offered rate (x) → achieved, latency and mesh CPU per job",
                labels,
                List.of(
                        new Report.Panel(
                                "achieved jobs/s",
                                steps.stream().mapToDouble(Step::achieved).toArray()),
                        new Report.Panel(
                                "p50 ms", steps.stream().mapToDouble(Step::p50).toArray()),
                        new Report.Panel(
                                "p99 ms", steps.stream().mapToDouble(Step::p99).toArray()),
                        new Report.Panel(
                                "mesh CPU ms/job",
                                steps.stream()
                                        .mapToDouble(Throughput::meshCpuMsPerJob)
                                        .toArray())));
        System.out.print(md);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }

    private static String column(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }
}
