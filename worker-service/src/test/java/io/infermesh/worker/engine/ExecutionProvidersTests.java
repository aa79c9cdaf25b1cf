package io.infermesh.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.infermesh.contracts.ModelCard;
import io.infermesh.worker.engine.ExecutionProviders.Choice;
import io.infermesh.worker.engine.ExecutionProviders.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a model runs: the decision table, and what this machine's ONNX Runtime and devices tell it. */
class ExecutionProvidersTests {

    /** Whether ONNX Runtime's GPU build is the one on the classpath ({@code -Pgpu}), read from its jar's metadata. */
    static boolean gpuBuildOnClasspath() {
        return ExecutionProvidersTests.class
                        .getClassLoader()
                        .getResource("META-INF/maven/com.microsoft.onnxruntime/onnxruntime_gpu/pom.xml")
                != null;
    }

    static ModelCard cardWithGpus(Integer gpus) {
        return new ModelCard(
                "digits",
                "1",
                null,
                "model.onnx",
                null,
                null,
                new ModelCard.Resources(null, 60, 512, 1, gpus, null),
                ModelCard.Placement.of("batch"));
    }

    @ParameterizedTest(name = "gpus={0}, CUDA in build={1}, device={2} → {3}")
    @CsvSource(nullValues = "none", textBlock = """
            # card's gpus | CUDA in the build | device | provider | the reason names
            none          | false             | false  | CPU      | none
            0             | true              | true   | CPU      | none
            none          | true              | true   | CPU      | none
            1             | false             | false  | CPU      | no GPU build of ONNX Runtime on the classpath
            1             | false             | true   | CPU      | no GPU build of ONNX Runtime on the classpath
            1             | true              | false  | CPU      | no GPU device on this machine
            2             | true              | false  | CPU      | no GPU device on this machine
            1             | true              | true   | CUDA     | none
            4             | true              | true   | CUDA     | none
            """, delimiter = '|')
    void eachCardAndMachineGetTheProviderTheTableSays(
            Integer gpus, boolean cudaInBuild, boolean device, ExecutionProvider provider, String reason) {
        Choice choice = ExecutionProviders.choose(cardWithGpus(gpus), new Machine(cudaInBuild, device));

        assertThat(choice.provider()).isEqualTo(provider);
        if (reason == null) {
            assertThat(choice.fallback()).as("not a fallback").isNull();
            assertThat(choice.fellBack()).isFalse();
        } else {
            assertThat(choice.fallback()).startsWith(reason);
            assertThat(choice.fellBack()).isTrue();
        }
    }

    @Test
    void aCardWithoutResourcesRunsOnCpuAndIsNoFallback() {
        ModelCard card = new ModelCard("digits", "1", null, "model.onnx", null, null, null, null);

        assertThat(ExecutionProviders.choose(card, new Machine(true, true))).isEqualTo(Choice.CPU);
    }

    @Test
    void thisRuntimeOffersCudaExactlyWhenItIsTheGpuBuild() {
        // the CPU jar (the default dependency) reports CPU only; -Pgpu's jar reports CUDA too
        assertThat(Machine.detect().cudaInBuild()).isEqualTo(gpuBuildOnClasspath());
        assertThat(OrtEnvironment.getAvailableProviders()).contains(OrtProvider.CPU);
    }

    @Test
    void anNvidiaDeviceFileMeansAGpuOnLinux(@TempDir Path dev) throws IOException {
        assertThat(ExecutionProviders.nvidiaDevicePresent(dev, "Linux"))
                .as("no device files")
                .isFalse();

        Files.createFile(dev.resolve("nvidiactl")); // the driver's control file: no device by itself
        Files.createFile(dev.resolve("nvidia-uvm"));
        assertThat(ExecutionProviders.nvidiaDevicePresent(dev, "Linux")).isFalse();

        Files.createFile(dev.resolve("nvidia0"));
        assertThat(ExecutionProviders.nvidiaDevicePresent(dev, "Linux")).isTrue();
    }

    @Test
    void withoutLinuxDeviceFilesCudaIsLeftToTell(@TempDir Path dev) {
        assertThat(ExecutionProviders.nvidiaDevicePresent(dev, "Windows 11")).isTrue();
        assertThat(ExecutionProviders.nvidiaDevicePresent(dev.resolve("absent"), "Linux"))
                .isFalse();
    }
}
