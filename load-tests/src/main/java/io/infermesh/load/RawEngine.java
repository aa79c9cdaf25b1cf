package io.infermesh.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The raw engine's figure for the same model and input, measured in the same run: worker-service's
 * {@code RawEngineBenchmarks} (ONNX Runtime alone, input to answer, 2 threads) started as its own Maven command —
 * the load tests depend on no service module — while the mesh is idle, before any load is offered. The figure is
 * the mean of JMH's measured iterations, read from the {@code jmh-result.json} it writes.
 */
final class RawEngine {

    private RawEngine() {}

    /** Inferences per second, with the mesh beside it idle. */
    static double measure(Options options) throws IOException, InterruptedException {
        Path root = repositoryRoot();
        Path result = root.resolve("worker-service/target/jmh-result.json");
        Files.deleteIfExists(result);
        List<String> command = new ArrayList<>(List.of(
                root.resolve("mvnw").toString(),
                "-q",
                "-pl",
                "worker-service",
                "test-compile",
                "exec:exec@jmh",
                "-Djmh.include=RawEngine",
                "-Djmh.model=" + options.get("model"),
                "-Djmh.input=" + Path.of(options.get("image")).toAbsolutePath(),
                "-Djmh.models-dir=" + Path.of(options.get("models-dir")).toAbsolutePath(),
                "-Djmh.warmups=" + options.getInt("raw-warmups", 3),
                "-Djmh.iterations=" + options.getInt("raw-iterations", 5),
                "-Djmh.time=2s"));
        System.out.println("raw engine: " + String.join(" ", command) + " (the mesh idle)");
        Process jmh = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        int exit = jmh.waitFor();
        if (exit != 0 || !Files.exists(result)) {
            throw new IllegalStateException("the raw-engine benchmark failed (exit " + exit + "); run it alone to see"
                    + " why: ./mvnw -q -pl worker-service test-compile exec:exec@jmh -Djmh.include=RawEngine");
        }
        return score(Files.readString(result));
    }

    /** The primary score of the raw-engine benchmark in a JMH result file. */
    static double score(String jmhResultJson) {
        for (JsonNode benchmark : JsonMapper.builder().build().readTree(jmhResultJson)) {
            if (benchmark.path("benchmark").asString().contains("RawEngine")) {
                return benchmark.path("primaryMetric").path("score").asDouble();
            }
        }
        throw new IllegalStateException("no RawEngine benchmark in the JMH result");
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("worker-service"))) {
                return dir;
            }
        }
        throw new IllegalStateException("--raw-engine=auto runs from the repository (no mvnw above "
                + Path.of("").toAbsolutePath() + "); give the figure with --raw-engine=N instead");
    }
}
