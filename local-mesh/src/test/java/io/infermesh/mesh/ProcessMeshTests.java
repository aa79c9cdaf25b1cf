package io.infermesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of {@link ProcessMesh} that decide how an instance is started. Starting, killing and restarting real
 * instances is fault-harness's {@code FaultHarnessSmokeTests}.
 */
class ProcessMeshTests {

    @Test
    void anExecJarIsFoundInItsModulesTargetAndAMissingOneNamesTheBuildCommand(@TempDir Path project)
            throws IOException {
        Path target = Files.createDirectories(project.resolve("worker-service/target"));
        Path jar = Files.createFile(target.resolve("worker-service-0.1.0-SNAPSHOT-exec.jar"));
        Files.createFile(target.resolve("worker-service-0.1.0-SNAPSHOT.jar"));

        assertThat(ProcessMesh.execJar(project, "worker-service")).isEqualTo(jar.toAbsolutePath());
        assertThatThrownBy(() -> ProcessMesh.execJar(project, "router-service"))
                .hasMessageContaining("no exec jar of router-service in " + project.resolve("router-service/target"))
                .hasMessageContaining("./mvnw -q -DskipTests -pl local-mesh -am install");
    }

    @Test
    void aJarWithoutTheYamlLibraryIsGivenItAndSnakeYamlEngineFromThisClasspath(@TempDir Path dir) throws IOException {
        Path complete = jar(dir.resolve("complete.jar"), "BOOT-INF/lib/jackson-dataformat-yaml-3.1.4.jar");
        Path lacking = jar(dir.resolve("lacking.jar"), "BOOT-INF/lib/jackson-databind-3.1.4.jar");

        assertThat(ProcessMesh.missingLibraries(complete)).isEmpty();
        assertThat(ProcessMesh.missingLibraries(lacking))
                .hasSize(2)
                .allMatch(Files::isRegularFile)
                .anyMatch(p -> p.getFileName().toString().startsWith("jackson-dataformat-yaml-"))
                .anyMatch(p -> p.getFileName().toString().startsWith("snakeyaml-engine-"));
    }

    private static Path jar(Path file, String entry) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(entry));
            zip.write(new byte[] {1});
            zip.closeEntry();
        }
        return file;
    }
}
