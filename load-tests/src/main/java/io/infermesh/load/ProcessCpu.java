package io.infermesh.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU time the machine's processes have used, by who they are: the mesh's JVMs (the one-JVM local mesh, or each
 * service's own process by its exec jar), PostgreSQL's processes, and this load generator itself, which shares the
 * cores. Read from Linux's {@code /proc/<pid>/stat} (user + system time of the process and its finished threads); on
 * another OS nothing is found and the report says so. Snapshots are subtracted to give CPU seconds per step.
 */
final class ProcessCpu {

    /** What a {@code -jar <module>-<version>-exec.jar} command line names. */
    private static final Pattern EXEC_JAR = Pattern.compile("([a-z-]+)-\\d[^/\\s]*-exec\\.jar");

    static final String LOAD_GENERATOR = "load generator";
    static final String POSTGRES = "PostgreSQL";
    /** The local mesh's own JVM: the whole mesh, or only its infrastructure when services run as processes. */
    static final String LOCAL_MESH = "local-mesh JVM";

    private static final double TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture in use

    private ProcessCpu() {}

    /** CPU seconds used so far, by group name, in a stable order. */
    static Map<String, Double> snapshot() {
        Map<String, Double> seconds = new TreeMap<>();
        long self = ProcessHandle.current().pid();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return seconds;
        }
        try (Stream<Path> entries = Files.list(proc)) {
            entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> {
                        long pid = Long.parseLong(p.getFileName().toString());
                        String group = pid == self ? LOAD_GENERATOR : group(p);
                        if (group != null) {
                            double used = cpuSeconds(p);
                            if (used >= 0) {
                                seconds.merge(group, used, Double::sum);
                            }
                        }
                    });
        } catch (IOException e) {
            return seconds;
        }
        return seconds;
    }

    /** {@code after - before} per group (a process that ended in between counts from zero). */
    static Map<String, Double> since(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> used = new LinkedHashMap<>();
        after.forEach((group, seconds) -> used.put(group, Math.max(0, seconds - before.getOrDefault(group, 0.0))));
        return used;
    }

    /** The group of a process, or null when it is none of the mesh's. */
    static String group(String comm, String commandLine) {
        if ("postgres".equals(comm)) {
            return POSTGRES;
        }
        if (!commandLine.contains("java")) {
            return null;
        }
        Matcher jar = EXEC_JAR.matcher(commandLine);
        if (jar.find()) {
            return jar.group(1);
        }
        if (commandLine.contains("maven-exec") || commandLine.contains("io.infermesh.mesh.")) {
            return LOCAL_MESH; // exec:exec's manifest jar (ADR 0006): the load generator itself is told apart by pid
        }
        return null;
    }

    /** {@code utime + stime} of {@code /proc/<pid>/stat} (fields 14 and 15, counted after the command's ")"). */
    static double cpuSeconds(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    private static String group(Path process) {
        try {
            String comm = Files.readString(process.resolve("comm")).trim();
            String commandLine = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
            return group(comm, commandLine);
        } catch (IOException | RuntimeException e) {
            return null; // gone meanwhile, or not ours to read
        }
    }

    private static double cpuSeconds(Path process) {
        try {
            return cpuSeconds(Files.readString(process.resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The load generator's own CPU time, as the JVM counts it (for systems without /proc). */
    static Duration ownCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }
}
