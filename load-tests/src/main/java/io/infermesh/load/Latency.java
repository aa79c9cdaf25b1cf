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

    private Latency() {
    }

    static void run(Options options) throws Exception {
        int jobs = options.getInt("jobs", 100);
        byte[] image = Files.readAllBytes(Path.of(options.get("image")));
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Double> wall = new ArrayList<>();
        List<Double> mesh = new ArrayList<>();
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
                double meshMs = Duration.between(trace.reached().get(MeshClient.Status.PENDING),
                        trace.reached().get(MeshClient.Status.SUCCEEDED)).toNanos() / 1e6;
                if (i == 0) {
                    System.out.printf(Locale.ROOT, "first job (may be cold): %.1f ms%n", ms);
                    continue;
                }
                wall.add(ms);
                mesh.add(meshMs);
                System.out.printf("\rwarm jobs: %d/%d", i, jobs);
            }
        }
        System.out.println();
        String summary = String.format(Locale.ROOT, """
                # latency: %d warm jobs, one at a time

                | measure | min | p50 | p90 | p99 | max |
                |---|---:|---:|---:|---:|---:|
                | upload start -> SUCCEEDED seen by the client (ms) | %s |
                | PENDING -> SUCCEEDED, mesh event times (ms) | %s |
                """, wall.size(), row(wall), row(mesh));
        Report report = new Report(options, "latency");
        report.write("summary.md", summary);
        StringBuilder csv = new StringBuilder("job,wall_ms,mesh_ms\n");
        for (int i = 0; i < wall.size(); i++) {
            csv.append(String.format(Locale.ROOT, "%d,%.3f,%.3f%n", i + 1, wall.get(i), mesh.get(i)));
        }
        report.write("data.csv", csv.toString());
        System.out.print(summary);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }

    private static String row(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return String.format(Locale.ROOT, "%.1f | %.1f | %.1f | %.1f | %.1f", sorted.getFirst(), at(sorted, 0.5),
                at(sorted, 0.9), at(sorted, 0.99), sorted.getLast());
    }

    private static double at(List<Double> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
    }
}
