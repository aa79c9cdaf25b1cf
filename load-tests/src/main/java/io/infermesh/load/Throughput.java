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
 * and, measured in the same run, the raw engine's rate with the same thread budget and the ratio.
 */
final class Throughput {

    private Throughput() {
    }

    record Step(int offered, double achieved, double p50, double p99, boolean sustained) {
    }

    static void run(Options options) throws Exception {
        int stepSeconds = options.getInt("step-seconds", 5);
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
                    String key = "inbox/" + options.get("model") + "/throughput/" + run + "/r" + rate + "-" + i + ".png";
                    keys.add(key);
                    uploads.add(clock.schedule(() -> uploaders.submit(() -> mesh.upload(key, image, "image/png")),
                            i * periodNanos, TimeUnit.NANOSECONDS));
                }
                for (Future<?> upload : uploads) {
                    ((Future<?>) upload.get()).get();
                }
                List<Double> latencies = new ArrayList<>();
                Instant lastDone = begin;
                boolean allSucceeded = true;
                for (String key : keys) {
                    MeshClient.Trace trace = mesh.awaitTerminal(key, Duration.ofSeconds(120));
                    if (trace.failure() != null) {
                        allSucceeded = false;
                        continue;
                    }
                    Instant done = trace.reached().get(MeshClient.Status.SUCCEEDED);
                    latencies.add(Duration.between(trace.reached().get(MeshClient.Status.PENDING), done).toNanos() / 1e6);
                    lastDone = done.isAfter(lastDone) ? done : lastDone;
                }
                double elapsed = Duration.between(begin, lastDone).toNanos() / 1e9;
                double achieved = latencies.size() / elapsed;
                latencies.sort(Double::compare);
                boolean sustained = allSucceeded && elapsed <= stepSeconds + 1.0;
                Step step = new Step(rate, achieved, at(latencies, 0.5), at(latencies, 0.99), sustained);
                steps.add(step);
                System.out.printf(Locale.ROOT, "offered %4d jobs/s -> %6.1f jobs/s, PENDING->SUCCEEDED p50 %7.1f ms,"
                        + " p99 %7.1f ms%s%n", rate, achieved, step.p50(), step.p99(), sustained ? "" : "  (saturated)");
                if (!sustained) {
                    break;
                }
            }
        }
        double raw = RawEngine.measure(options);
        double best = steps.stream().mapToDouble(Step::achieved).max().orElse(0);
        StringBuilder md = new StringBuilder("# throughput\n\n| offered (jobs/s) | achieved (jobs/s) | p50 (ms) | p99 (ms) | sustained |\n|---:|---:|---:|---:|---|\n");
        StringBuilder csv = new StringBuilder("offered,achieved,p50_ms,p99_ms,sustained\n");
        for (Step s : steps) {
            md.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %s |%n", s.offered(), s.achieved(), s.p50(),
                    s.p99(), s.sustained() ? "yes" : "no"));
            csv.append(String.format(Locale.ROOT, "%d,%.3f,%.3f,%.3f,%s%n", s.offered(), s.achieved(), s.p50(), s.p99(),
                    s.sustained()));
        }
        md.append(String.format(Locale.ROOT, "%nBest achieved: **%.1f jobs/s**; raw engine with the same 2 threads: %.0f"
                + " inferences/s; ratio %.3f.%n", best, raw, best / raw));
        Report report = new Report(options, "throughput");
        report.write("summary.md", md.toString());
        report.write("data.csv", csv.toString());
        System.out.print(md);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }

    private static double at(List<Double> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
    }
}
