package io.infermesh.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Who used the CPU during a step: the processes are told apart as an operator would tell them apart in `ps`. */
class ProcessCpuTests {

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "java | java -jar /work/main/router-service/target/router-service-0.1.0-SNAPSHOT-exec.jar | router-service",
                "java | /usr/bin/java -Xmx512m -cp /w/status-service/target/status-service-0.1.0-SNAPSHOT-exec.jar"
                        + " -Dloader.path=x org.springframework.boot.loader.launch.PropertiesLauncher | status-service",
                "java | java --enable-native-access=ALL-UNNAMED -jar /tmp/maven-exec6605212816625758975.jar"
                        + " | local-mesh JVM",
                "postgres | /root/.embedpostgresql/bin/postgres -D /tmp/data | PostgreSQL",
                "java | java -jar /opt/other/app.jar | -",
                "bash | bash -c ./mvnw verify | -"
            })
    void processesAreGroupedByWhatTheyRun(String comm, String commandLine, String group) {
        assertThat(ProcessCpu.group(comm, commandLine)).isEqualTo(group);
    }

    @Test
    void userAndSystemTimeAreReadAfterTheCommandNameEvenWhenItHoldsSpacesAndParentheses() {
        String stat = "4242 (C2 Comp (ile) r) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 31 0 100 0 0";

        assertThat(ProcessCpu.cpuSeconds(stat)).isEqualTo(3.25);
    }

    @Test
    void theLoadGeneratorCountsItsOwnCpu() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc on this system: CPU is not split by process");
        long sum = 0;
        for (int i = 0; i < 20_000_000; i++) {
            sum += Integer.toBinaryString(i).length();
        }

        assertThat(sum).isPositive();
        assertThat(ProcessCpu.snapshot())
                .hasEntrySatisfying(
                        ProcessCpu.LOAD_GENERATOR,
                        seconds -> assertThat(seconds).isPositive());
    }
}
