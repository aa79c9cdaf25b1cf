package io.infermesh.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Open-loop load at rising upload rates until the mesh no longer keeps up: per step, {@code rate x --step-seconds}
 * uploads spread evenly; a step is sustained when every job succeeded and completions kept pace (the last job ended
 * within one second of the last upload's schedule). Reports jobs/s and PENDING-to-SUCCEEDED percentiles per step,
 * and, given {@code --raw-engine=N} (inferences/s of the same model and input from worker-service's
 * {@code RawEngineBenchmarks}, measured just before on the same machine), the ratio of the mesh to the raw engine.
 */
final class Throughput {

    private Throughput() {}

    record Step(int offered, double achieved, Latencies latencies, boolean sustained) {
        double p50() {
            return latencies.ms(50);
        }

        double p99() {
            return latencies.ms(99);
        }
    }

    static void run(Options options) throws Exception {
        int stepSeconds = options.getInt("step-seconds", 5);
        double raw = options.getDouble("raw-engine", Double.NaN);
        byte[] image = Files.readAllBytes(Path.of(options.get("image")));
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Step> steps = new ArrayList<>();
        try (MeshClient mesh = new MeshClient(options);
                ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
                ExecutorService uploaders = Executors.newFixedThreadPool(16)) {
            String warm = "inbox/" + options.get("model") + "/throughput/" + run + "/warm.png";
            mesh.upload(warm, image, "image/png");
            mesh.awaitTerminal(warm, Duration.ofSeconds(60));
            for (int rate = options.getInt("start-rate", 10); rate <= options.getInt("max-rate", 640); rate *= 2) {
                int jobs = rate * stepSeconds;
                List<String> keys = new ArrayList<>();
                List<Future<?>> uploads = new ArrayList<>();
                long periodNanos = 1_000_000_000L / rate;
                Instant begin = Instant.now();
                for (int i = 0; i < jobs; i++) {
                    String key =
                            "inbox/" + options.get("model") + "/throughput/" + run + "/r" + rate + "-" + i + ".png";
                    keys.add(key);
                    uploads.add(clock.schedule(
                            () -> uploaders.submit(() -> mesh.upload(key, image, "image/png")),
                            i * periodNanos,
                            TimeUnit.NANOSECONDS));
                }
                for (Future<?> upload : uploads) {
                    ((Future<?>) upload.get()).get();
                }
                Latencies latencies = new Latencies();
                Instant lastDone = begin;
                boolean allSucceeded = true;
                for (String key : keys) {
                    MeshClient.Trace trace = mesh.awaitTerminal(key, Duration.ofSeconds(120));
                    if (trace.failure() != null) {
                        allSucceeded = false;
                        continue;
                    }
                    Instant done = trace.reached().get(MeshClient.Status.SUCCEEDED);
                    latencies.recordMs(Duration.between(trace.reached().get(MeshClient.Status.PENDING), done)
                                    .toNanos()
                            / 1e6);
                    lastDone = done.isAfter(lastDone) ? done : lastDone;
                }
                double elapsed = Duration.between(begin, lastDone).toNanos() / 1e9;
                double achieved = latencies.count() / elapsed;
                boolean sustained = allSucceeded && elapsed <= stepSeconds + 1.0;
                Step step = new Step(rate, achieved, latencies, sustained);
                steps.add(step);
                System.out.printf(
                        Locale.ROOT,
                        "offered %4d jobs/s -> %6.1f jobs/s, PENDING->SUCCEEDED p50 %7.1f ms," + " p99 %7.1f ms%s%n",
                        rate,
                        achieved,
                        step.p50(),
                        step.p99(),
                        sustained ? "" : "  (saturated)");
                if (!sustained) {
                    break;
                }
            }
        }
        double best = steps.stream().mapToDouble(Step::achieved).max().orElse(0);
        StringBuilder md = new StringBuilder("# throughput\n\nPENDING → SUCCEEDED per step, HdrHistogram (ms).\n\n"
                + "| offered (jobs/s) | achieved (jobs/s) | min | p50 | p90 | p99 | p99.9 | max | sustained |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        StringBuilder csv =
                new StringBuilder("offered,achieved,min_ms,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,sustained\n");
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
                    "%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%s%n",
                    s.offered(),
                    s.achieved(),
                    l.minMs(),
                    l.ms(50),
                    l.ms(90),
                    l.ms(99),
                    l.ms(99.9),
                    l.maxMs(),
                    s.sustained()));
            report.write("latency-" + s.offered() + ".hgrm", l.hgrm());
        }
        md.append(String.format(Locale.ROOT, "%nBest achieved: **%.1f jobs/s**", best));
        md.append(
                Double.isNaN(raw)
                        ? "; no raw-engine figure given (--raw-engine=N from worker-service's "
                                + "RawEngineBenchmarks), so no ratio.\n"
                        : String.format(
                                Locale.ROOT,
                                "; raw engine (RawEngineBenchmarks, 2 threads, given): %.0f inferences/s; "
                                        + "ratio %.3f.%n",
                                raw,
                                best / raw));
        report.write("summary.md", md.toString());
        report.write("data.csv", csv.toString());
        List<String> labels = steps.stream().map(s -> s.offered() + "/s").toList();
        report.barPanels(
                "chart.png",
                "throughput: offered rate (x) → achieved and PENDING→SUCCEEDED latency",
                labels,
                List.of(
                        new Report.Panel(
                                "achieved jobs/s",
                                steps.stream().mapToDouble(Step::achieved).toArray()),
                        new Report.Panel(
                                "p50 ms", steps.stream().mapToDouble(Step::p50).toArray()),
                        new Report.Panel(
                                "p99 ms", steps.stream().mapToDouble(Step::p99).toArray())));
        System.out.print(md);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }
}
