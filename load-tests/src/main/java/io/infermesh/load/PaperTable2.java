package io.infermesh.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The seed paper's Tables 1-2 and Figures 11-12: ten images uploaded at once to an on-prem pool of two slots
 * (the local mesh's worker runs two jobs side by side, {@code WORKER_CONCURRENCY=2}); per execution, in the order the
 * pool took them: run time (STARTING to SUCCEEDED), wait time (upload to STARTING) and total; and the makespan.
 */
final class PaperTable2 {

    /** Seed 000, Table 2 (OSCAR, 2 one-CPU nodes) and Table 1 (AWS Batch, 2 one-CPU instances): total seconds. */
    static final int[] OSCAR_TOTAL_S = {68, 90, 112, 132, 154, 174, 196, 215, 238, 261};

    static final int[] BATCH_TOTAL_S = {272, 22, 84, 114, 141, 171, 202, 232, 262, 294};

    private PaperTable2() {}

    record Row(int execution, String key, double runMs, double waitMs, double totalMs) {}

    static void run(Options options) throws Exception {
        int jobs = options.getInt("jobs", 10);
        byte[] image = Files.readAllBytes(Path.of(options.get("image")));
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (MeshClient mesh = new MeshClient(options);
                ExecutorService uploaders = Executors.newFixedThreadPool(jobs)) {
            // warm the model first, as the paper's OSCAR had a node ready; its cold start is another scenario
            String warmKey = "inbox/" + options.get("model") + "/table2/" + run + "/warm-up.png";
            mesh.upload(warmKey, image, "image/png");
            mesh.awaitTerminal(warmKey, Duration.ofSeconds(60));

            CountDownLatch go = new CountDownLatch(1);
            List<String> keys = new ArrayList<>();
            List<Future<?>> uploads = new ArrayList<>();
            for (int i = 1; i <= jobs; i++) {
                String key = "inbox/" + options.get("model") + "/table2/" + run + "/image-" + i + ".png";
                keys.add(key);
                uploads.add(uploaders.submit(() -> {
                    go.await();
                    mesh.upload(key, image, "image/png");
                    return null;
                }));
            }
            Instant submitted = Instant.now();
            go.countDown();
            for (Future<?> upload : uploads) {
                upload.get();
            }
            List<MeshClient.Trace> traces = new ArrayList<>();
            for (String key : keys) {
                MeshClient.Trace trace = mesh.awaitTerminal(key, Duration.ofSeconds(120));
                if (trace.failure() != null) {
                    throw new IllegalStateException(key + " failed: " + trace.failure());
                }
                traces.add(trace);
                System.out.printf("\rjobs done: %d/%d", traces.size(), jobs);
            }
            System.out.println();
            traces.sort(Comparator.comparing(t -> t.reached().get(MeshClient.Status.STARTING)));
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < traces.size(); i++) {
                var reached = traces.get(i).reached();
                Instant starting = reached.get(MeshClient.Status.STARTING);
                Instant done = reached.get(MeshClient.Status.SUCCEEDED);
                rows.add(new Row(
                        i + 1,
                        traces.get(i).inputKey(),
                        millis(starting, done),
                        millis(submitted, starting),
                        millis(submitted, done)));
            }
            report(options, rows);
        }
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    private static void report(Options options, List<Row> rows) {
        double makespan = rows.stream().mapToDouble(Row::totalMs).max().orElse(0);
        StringBuilder md = new StringBuilder();
        md.append("# paper-table2: ").append(rows.size()).append(" images at once, on-prem pool of 2 slots\n\n");
        md.append(
                "| execution | run time (ms) | wait time (ms) | total (ms) | paper OSCAR total (s) | paper AWS Batch total (s) |\n");
        md.append("|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder csv =
                new StringBuilder("execution,run_ms,wait_ms,total_ms,paper_oscar_total_s,paper_batch_total_s\n");
        for (Row row : rows) {
            int i = row.execution() - 1;
            String oscar = i < OSCAR_TOTAL_S.length ? String.valueOf(OSCAR_TOTAL_S[i]) : "";
            String batch = i < BATCH_TOTAL_S.length ? String.valueOf(BATCH_TOTAL_S[i]) : "";
            md.append(String.format(
                    Locale.ROOT,
                    "| %d | %.1f | %.1f | %.1f | %s | %s |%n",
                    row.execution(),
                    row.runMs(),
                    row.waitMs(),
                    row.totalMs(),
                    oscar,
                    batch));
            csv.append(String.format(
                    Locale.ROOT,
                    "%d,%.3f,%.3f,%.3f,%s,%s%n",
                    row.execution(),
                    row.runMs(),
                    row.waitMs(),
                    row.totalMs(),
                    oscar,
                    batch));
        }
        md.append(String.format(
                Locale.ROOT,
                "%nMakespan: **%.1f ms** (paper: OSCAR 261 s, AWS Batch 294 s: %.0fx and %.0fx" + " longer).%n",
                makespan,
                261_000 / makespan,
                294_000 / makespan));
        md.append("\nWait = from the simultaneous upload to STARTING; run = STARTING to SUCCEEDED (download, model, "
                + "result upload), as the paper splits them. Times are the mesh's own lifecycle event times.\n");
        Report report = new Report(options, "paper-table2");
        report.write("summary.md", md.toString());
        report.write("data.csv", csv.toString());
        report.stackedBars(
                "chart.png",
                String.format(
                        Locale.ROOT,
                        "10 images, 2 slots: makespan %.0f ms (paper: OSCAR 261 s, AWS Batch 294 s)",
                        makespan),
                "ms",
                rows.stream().map(r -> String.valueOf(r.execution())).toList(),
                rows.stream().mapToDouble(Row::runMs).toArray(),
                rows.stream().mapToDouble(Row::waitMs).toArray(),
                "run time",
                "wait time");
        System.out.print(md);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }
}
