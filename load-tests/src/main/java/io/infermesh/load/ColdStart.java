package io.infermesh.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue #7's {@code cold-start}: the model's pool at zero (no worker, model out of memory) → one upload → SUCCEEDED,
 * repeated. Between runs it waits until the worker's {@code /actuator/pools} (on its management server, for operators
 * only: the request carries an {@link OperatorToken}) reports the pool at ZERO again (run the mesh with a short idle
 * timeout, {@code WORKER_IDLE_TIMEOUT=3s}). Per run: the client's wall time from upload to
 * SUCCEEDED seen, the mesh's PENDING → SUCCEEDED, and the worker's phases from the SUCCEEDED event: wake (backlog seen
 * → first worker consuming), model load, warm-up, download, inference.
 */
final class ColdStart {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ColdStart() {}

    record Run(
            double wallMs,
            double meshMs,
            long wakeMs,
            long loadMs,
            long warmupMs,
            long downloadMs,
            long inferenceMs,
            boolean cold) {}

    static void run(Options options) throws Exception {
        int runs = options.getInt("runs", 5);
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
        }
        String model = options.get("model");
        if (options.get("worker") != null) {
            throw new IllegalArgumentException("--worker is now --worker-management: /actuator/pools is on the worker's"
                    + " management server (the local mesh's is http://127.0.0.1:18083, WORKER_MANAGEMENT_PORT)");
        }
        String worker =
                options.get("worker-management") == null ? "http://127.0.0.1:18083" : options.get("worker-management");
        OperatorToken operator = OperatorToken.from(options);
        Duration idle = Duration.ofSeconds(options.getInt("max-idle-seconds", 120));
        byte[] image = Files.readAllBytes(Path.of(options.get("image")));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        HttpClient http = HttpClient.newHttpClient();
        List<Run> results = new ArrayList<>();
        try (MeshClient client = new MeshClient(options)) {
            for (int i = 1; i <= runs; i++) {
                System.out.printf("\rrun %d/%d: waiting for the %s pool to be at zero...", i, runs, model);
                awaitZero(http, operator, worker, model, idle);
                String key = "inbox/" + model + "/cold-start/" + tag + "/image-" + i + ".png";
                long start = System.nanoTime();
                client.upload(key, image, "image/png");
                MeshClient.Trace trace = client.awaitTerminal(key, Duration.ofSeconds(120));
                double wall = (System.nanoTime() - start) / 1e6;
                if (trace.failure() != null) {
                    throw new IllegalStateException(key + " failed: " + trace.failure());
                }
                JsonNode t = trace.terminalEvent().path("timings");
                double mesh = Duration.between(
                                        trace.reached().get(MeshClient.Status.PENDING),
                                        trace.reached().get(MeshClient.Status.SUCCEEDED))
                                .toNanos()
                        / 1e6;
                results.add(new Run(
                        wall,
                        mesh,
                        t.path("wakeMs").asLong(-1),
                        t.path("modelLoadMs").asLong(-1),
                        t.path("warmupMs").asLong(-1),
                        t.path("downloadMs").asLong(-1),
                        t.path("inferenceMs").asLong(-1),
                        trace.terminalEvent().path("coldStart").asBoolean()));
            }
        }
        System.out.println();
        StringBuilder table = new StringBuilder("""
                | run | cold | upload → SUCCEEDED seen (ms) | PENDING → SUCCEEDED (ms) | wake (ms) | model load (ms) | warm-up (ms) | download (ms) | inference (ms) |
                |---:|---|---:|---:|---:|---:|---:|---:|---:|
                """);
        StringBuilder csv = new StringBuilder(
                "run,cold,wall_ms,mesh_ms,wake_ms,model_load_ms,warmup_ms,download_ms," + "inference_ms\n");
        for (int i = 0; i < results.size(); i++) {
            Run r = results.get(i);
            table.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %.1f | %.1f | %d | %d | %d | %d | %d |%n",
                    i + 1,
                    r.cold() ? "yes" : "no",
                    r.wallMs(),
                    r.meshMs(),
                    r.wakeMs(),
                    r.loadMs(),
                    r.warmupMs(),
                    r.downloadMs(),
                    r.inferenceMs()));
            csv.append(String.format(
                    Locale.ROOT,
                    "%d,%s,%.3f,%.3f,%d,%d,%d,%d,%d%n",
                    i + 1,
                    r.cold(),
                    r.wallMs(),
                    r.meshMs(),
                    r.wakeMs(),
                    r.loadMs(),
                    r.warmupMs(),
                    r.downloadMs(),
                    r.inferenceMs()));
        }
        List<Double> wall = results.stream().map(Run::wallMs).sorted().toList();
        List<Long> wake = results.stream().map(Run::wakeMs).sorted().toList();
        String summary = String.format(
                Locale.ROOT,
                """
                # cold-start: model %s, %d runs from a pool at zero (%s)

                Median upload → SUCCEEDED **%.1f ms**; median wake (backlog seen → consuming) **%d ms**. Seed paper 2:
                about 25 s cold start on OpenWhisk (180 ms warm); seed paper 1: 44 s before OSCAR's first job ran.

                %s""",
                model,
                results.size(),
                Instant.now(),
                wall.get(wall.size() / 2),
                wake.get(wake.size() / 2),
                table);
        Report report = new Report(options, "cold-start");
        report.write("summary.md", summary);
        report.write("data.csv", csv.toString());
        List<String> runLabels = new ArrayList<>();
        for (int i = 1; i <= results.size(); i++) {
            runLabels.add(String.valueOf(i));
        }
        report.barPanels(
                "chart.png",
                "cold start per run, from a pool at zero (ms)",
                runLabels,
                List.of(
                        new Report.Panel(
                                "upload → SUCCEEDED",
                                results.stream().mapToDouble(Run::wallMs).toArray()),
                        new Report.Panel(
                                "wake",
                                results.stream().mapToDouble(Run::wakeMs).toArray()),
                        new Report.Panel(
                                "model load + warm-up",
                                results.stream()
                                        .mapToDouble(r -> r.loadMs() + r.warmupMs())
                                        .toArray())));
        System.out.print(summary);
        System.out.println("report: " + report.dir().toAbsolutePath());
    }

    private static void awaitZero(HttpClient http, OperatorToken operator, String worker, String model, Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            HttpResponse<String> response;
            try {
                response = http.send(
                        HttpRequest.newBuilder(URI.create(worker + "/actuator/pools"))
                                .header("Authorization", operator.authorization())
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot reach the worker's management server at " + worker + " (" + e
                                + "); is the mesh running? (--worker-management=URL)",
                        e);
            }
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw operator.refused(response);
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException(worker + "/actuator/pools answered " + response.statusCode()
                        + ": that worker has no scale-to-zero pools, or does not expose the pools endpoint");
            }
            List<String> seen = new ArrayList<>();
            for (JsonNode pool : JSON.readTree(response.body())) {
                seen.add(pool.path("model").asString());
                if (pool.path("model").asString().equals(model)
                        && pool.path("state").asString().equals("ZERO")) {
                    return;
                }
            }
            if (!seen.contains(model)) {
                throw new IllegalStateException("the worker at " + worker + " has no pool for model '" + model
                        + "'; its pools: " + seen + " (--model=NAME)");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + model + " pool did not go back to zero within " + limit
                        + "; start the mesh with a short idle timeout, e.g. WORKER_IDLE_TIMEOUT=3s");
            }
            // polling an HTTP endpoint: a short pause between reads, not a test
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }
}
