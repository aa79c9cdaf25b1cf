package io.infermesh.mesh;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;

/**
 * One instance of a service as its own JVM: {@code java -jar <module>-exec.jar} (a short command line, ADR 0006), its
 * properties in {@code SPRING_APPLICATION_JSON} (they outrank the service's own yml, as command-line arguments do in
 * the one-JVM mesh), its output in a log file. It can be killed ({@code kill -9}) and started again with the same
 * ports and properties; an exit that nobody asked for is reported.
 */
final class ServiceProcess {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path jar;
    private final List<String> jvmOptions;
    private final List<Path> extraLibraries;
    private final Map<String, Object> properties;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final Consumer<String> reports;
    private volatile Process process;
    private volatile boolean stopping;
    private volatile Instant startedAt;

    ServiceProcess(
            String name,
            Path jar,
            List<String> jvmOptions,
            List<Path> extraLibraries,
            Map<String, Object> properties,
            int port,
            int managementPort,
            Path log,
            Consumer<String> reports) {
        this.name = name;
        this.jar = jar;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.extraLibraries = List.copyOf(extraLibraries);
        Map<String, Object> all = new LinkedHashMap<>(properties);
        all.put("server.port", port);
        all.put("management.server.port", managementPort);
        this.properties = all;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.reports = reports;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    int managementPort() {
        return managementPort;
    }

    Path log() {
        return log;
    }

    /** The process id, or -1 when it is not running. */
    long pid() {
        Process p = process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Starts the JVM (appending to its log); does not wait until it is ready. */
    synchronized void start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        if (extraLibraries.isEmpty()) {
            command.add("-jar");
            command.add(jar.toString());
        } else {
            // Boot's PropertiesLauncher runs the same jar with libraries it lacks (ProcessMesh says which and why)
            command.add("-Dloader.path="
                    + String.join(
                            ",", extraLibraries.stream().map(Path::toString).toList()));
            command.add("-cp");
            command.add(jar.toString());
            command.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("SPRING_APPLICATION_JSON", JSON.writeValueAsString(properties));
        try {
            Files.createDirectories(log.getParent());
            stopping = false;
            Process started = builder.start();
            process = started;
            startedAt = Instant.now();
            started.onExit().thenAccept(this::exited);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " from " + jar + ": " + e.getMessage(), e);
        }
    }

    private void exited(Process p) {
        if (!stopping) {
            reports.accept("infermesh: " + name + " (pid " + p.pid() + ") exited with code " + p.exitValue() + " after "
                    + Duration.between(startedAt, Instant.now()).toSeconds() + " s; its log: " + log);
        }
    }

    /**
     * Waits until the actuator's health answers 200 (UP), or fails when the process ends first or the deadline
     * passes.
     */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI health = URI.create("http://127.0.0.1:" + managementPort + "/actuator/health");
        while (true) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException(name + " ended while starting"
                        + (p == null ? "" : " (exit code " + p.exitValue() + ")") + "; its log: " + log);
            }
            try {
                HttpResponse<Void> response = HTTP.send(
                        HttpRequest.newBuilder(health)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        name + " did not report healthy on " + health + " within " + timeout + "; its log: " + log);
            }
            pause(Duration.ofMillis(250));
        }
    }

    /** {@code kill -9}: the JVM gets no chance to close anything. Returns when it has ended. */
    void kill() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            p.onExit().join();
        }
    }

    /** SIGTERM (a graceful Spring shutdown), then {@code kill -9} if it has not ended within the grace period. */
    void stop(Duration grace) {
        stopping = true;
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.onExit().join();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + pid() + ", port " + port + ", actuator " + managementPort + "]";
    }
}
