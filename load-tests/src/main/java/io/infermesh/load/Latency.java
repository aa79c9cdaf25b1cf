package io.infermesh.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One warm job at a time: per job, the client's wall time from the start of the upload to seeing SUCCEEDED, and the
 * mesh's own time from PENDING (object stored and announced) to SUCCEEDED recorded. The first job is reported apart.
 */
final class Latency {

    private Latency() {}

    static void run(Options options) throws Exception {
        int jobs = options.getInt("jobs", 100);
        byte[] image = Files.readAllBytes(Path.of(options.get("image")));
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Double> wall = new ArrayList<>();
        List<Double> mesh = new ArrayList<>();
        Latencies wallHdr = new Latencies();
        Latencies meshHdr = new Latencies();
        try (MeshClient client = new MeshClient(options)) {
            for (int i = 0; i <= jobs; i++) {
                String key = "inbox/" + options.get("model") + "/latency/" + run + "/image-" + i + ".png";
                long start = System.nanoTime();
                client.upload(key, image, "image/png");
                MeshClient.Trace trace = client.awaitTerminal(key, Duration.ofSeconds(60));
                double ms = (System.nanoTime() - start) / 1e6;
                if (trace.failure() != null) {
                    throw new IllegalStateException(key + " failed: " + trace.failure());
                }
                double meshMs = Duration.between(
                                        trace.reached().get(MeshClient.Status.PENDING),
                                        trace.reached().get(MeshClient.Status.SUCCEEDED))
                                .toNanos()
                        / 1e6;
                if (i == 0) {
                    System.out.printf(Locale.ROOT, "first job (may be cold): %.1f ms%n", ms);
                    continue;
                }
                wall.add(ms);
                mesh.add(meshMs);
                wallHdr.recordMs(ms);
                meshHdr.recordMs(meshMs);
                System.out.printf("\rwarm jobs: %d/%d", i, jobs);
            }
        }
        System.out.println();
        String summary = String.format(Locale.ROOT, """
                # latency: %d warm jobs, one at a time

                HdrHistogram percentiles (ms); full distributions in wall.hgrm and mesh.hgrm.

                | measure | min | p50 | p90 | p99 | p99.9 | max |
                |---|---:|---:|---:|---:|---:|---:|
                | upload start -> SUCCEEDED seen by the client (ms) | %s |
                | PENDING -> SUCCEEDED, mesh event times (ms) | %s |
                """, wall.size(), wallHdr.row(), meshHdr.row());
        Report report = new Report(options, "latency");
        report.write("summary.md", summary);
        StringBuilder csv = new StringBuilder("job,wall_ms,mesh_ms\n");
        for (int i = 0; i < wall.size(); i++) {
            csv.append(String.format(Locale.ROOT, "%d,%.3f,%.3f%n", i + 1, wall.get(i), mesh.get(i)));
        }
        report.write("data.csv", csv.toString());
        report.write("wall.hgrm", wallHdr.hgrm());
        report.write("mesh.hgrm", meshHdr.hgrm());
        List<String> labels = List.of("p50", "p90", "p99", "p99.9", "max");
        report.barPanels(
                "chart.png",
                "latency: one warm job at a time (ms)",
                labels,
                List.of(
                        new Report.Panel("upload → SUCCEEDED seen", new double[] {
                            wallHdr.ms(50), wallHdr.ms(90), wallHdr.ms(99), wallHdr.ms(99.9), wallHdr.maxMs()
                        }),
                        new Report.Panel("PENDING → SUCCEEDED (mesh)", new double[] {
                            meshHdr.ms(50), meshHdr.ms(90), meshHdr.ms(99), meshHdr.ms(99.9), meshHdr.maxMs()
                        })));
        System.out.print(summary);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }
}
