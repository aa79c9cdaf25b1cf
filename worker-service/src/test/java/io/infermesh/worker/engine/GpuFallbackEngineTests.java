package io.infermesh.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.infermesh.contracts.ModelCard;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.ExecutionProviders.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * A card that asks for a GPU, on the real ONNX Runtime of this build: without CUDA it runs on CPU with the same
 * answers, one WARN line saying why, and {@code executionProvider} CPU in every result. On a machine with a GPU and
 * the {@code -Pgpu} build, {@link #onAGpuMachineTheGpuCardRunsOnCuda} checks the CUDA path (skipped elsewhere).
 */
class GpuFallbackEngineTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path MODELS = Path.of("../models");

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger engineLog = (Logger) LoggerFactory.getLogger(InferenceEngine.class);
    private ModelEntry cpuDigits;
    private ModelEntry gpuDigits;
    private byte[] seven;

    @BeforeEach
    void setUp() throws Exception {
        cpuDigits = WorkerModels.load(MODELS, List.of("digits")).find("digits").orElseThrow();
        ModelCard card = cpuDigits.card();
        ModelCard.Resources r = card.resources();
        ModelCard gpuCard = new ModelCard(
                card.name(),
                card.version(),
                card.description(),
                card.artifact(),
                card.input(),
                card.output(),
                new ModelCard.Resources(r.maxInputBytes(), r.timeoutSeconds(), r.memoryMb(), r.cpus(), 1, null),
                card.placement());
        gpuDigits = new ModelEntry(gpuCard, cpuDigits.artifact());
        seven = Files.readAllBytes(MODELS.resolve("digits/samples/digit-7.png"));
        logged.start();
        engineLog.addAppender(logged);
    }

    @AfterEach
    void detach() {
        engineLog.detachAppender(logged);
    }

    private List<ILoggingEvent> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }

    @Test
    void offAGpuMachineAGpuCardRunsOnCpuWithTheSameAnswerAndSaysWhy() {
        assumeFalse(onAGpuMachine(), "this machine runs CUDA for real");
        Inference onCpu;
        Inference fellBack;
        try (InferenceEngine engine = new InferenceEngine(JSON, 1)) {
            onCpu = engine.run(cpuDigits, seven);
            engine.release("digits");
            fellBack = engine.run(gpuDigits, seven);
            assertThat(engine.executionProvider("digits")).contains(ExecutionProvider.CPU);
        }

        assertThat(fellBack.executionProvider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(fellBack.rows()).isEqualTo(onCpu.rows());
        assertThat(fellBack.rows().getFirst().getFirst().label()).isEqualTo("7");
        assertThat(warnings())
                .singleElement()
                .extracting(ILoggingEvent::getFormattedMessage)
                .asString()
                .contains("model 'digits' asks for a GPU but runs on CPU")
                .contains(
                        ExecutionProvidersTests.gpuBuildOnClasspath()
                                ? "no GPU device on this machine" // -Pgpu on a machine without an NVIDIA device
                                : "no GPU build of ONNX Runtime on the classpath");
    }

    @Test
    void aCudaProviderThatFailsToLoadFallsBackToCpuWithItsReason() {
        // the machine claims CUDA and a device; this runtime cannot add the provider (the CPU build: "not compiled
        // with CUDA"; the GPU build without CUDA 12 libraries: a library that cannot be loaded)
        assumeFalse(onAGpuMachine(), "this machine runs CUDA for real");
        try (InferenceEngine engine = new InferenceEngine(JSON, 1, new Machine(true, true))) {
            List<Inference> two = engine.runAll(
                    gpuDigits,
                    List.of(engine.decode(gpuDigits, seven), engine.decode(gpuDigits, seven)),
                    InferenceEngine.DEFAULT_TIMEOUT);
            Inference one = engine.run(gpuDigits, seven);

            assertThat(two).extracting(Inference::executionProvider).containsOnly(ExecutionProvider.CPU);
            assertThat(one.executionProvider()).isEqualTo(ExecutionProvider.CPU);
            assertThat(one.rows().getFirst().getFirst().label()).isEqualTo("7");
        }
        assertThat(warnings())
                .as("one line per load, not per run")
                .singleElement()
                .extracting(ILoggingEvent::getFormattedMessage)
                .asString()
                .contains("model 'digits' asks for a GPU but runs on CPU")
                .contains("the CUDA provider failed to load")
                .doesNotContain("\n");
    }

    @Test
    void noDeviceIsSaidBeforeCudaIsTried() {
        try (InferenceEngine engine = new InferenceEngine(JSON, 1, new Machine(true, false))) {
            assertThat(engine.run(gpuDigits, seven).executionProvider()).isEqualTo(ExecutionProvider.CPU);
        }
        assertThat(warnings())
                .singleElement()
                .extracting(ILoggingEvent::getFormattedMessage)
                .asString()
                .contains("no GPU device on this machine");
    }

    @Test
    void aCardThatAsksForNoGpuRunsOnCpuSilentlyEvenOnAGpuMachine() {
        try (InferenceEngine engine = new InferenceEngine(JSON, 1, new Machine(true, true))) {
            assertThat(engine.run(cpuDigits, seven).executionProvider()).isEqualTo(ExecutionProvider.CPU);
        }
        assertThat(warnings()).isEmpty();
    }

    @Test
    void aBrokenArtefactIsStillAModelErrorWhenItAskedForAGpu(@TempDir Path dir) throws Exception {
        Path notOnnx = Files.writeString(dir.resolve("model.onnx"), "not a model");
        ModelEntry broken = new ModelEntry(gpuDigits.card(), notOnnx);
        try (InferenceEngine engine = new InferenceEngine(JSON, 1, new Machine(true, true))) {
            assertThatThrownBy(() -> engine.run(broken, seven))
                    .isInstanceOf(ModelFailureException.class)
                    .hasMessageContaining("cannot load model 'digits' from model.onnx: ONNX Runtime cannot read it");
        }
    }

    /**
     * On a CUDA 12 machine with the {@code -Pgpu} build: the GPU card's session runs on CUDA, with the CPU's answer.
     * Skipped where there is no GPU build or no NVIDIA device (here).
     */
    @Test
    void onAGpuMachineTheGpuCardRunsOnCuda() {
        assumeTrue(onAGpuMachine(), "needs the -Pgpu build and an NVIDIA device with CUDA 12");
        try (InferenceEngine engine = new InferenceEngine(JSON, 1)) {
            Inference onCpu = engine.run(cpuDigits, seven);
            engine.release("digits");
            Inference onGpu = engine.run(gpuDigits, seven);

            assertThat(onGpu.executionProvider()).isEqualTo(ExecutionProvider.CUDA);
            assertThat(onGpu.rows().getFirst().getFirst().label()).isEqualTo("7");
            assertThat(onGpu.rows().getFirst().getFirst().probability())
                    .isCloseTo(onCpu.rows().getFirst().getFirst().probability(), within(1e-4));
        }
        assertThat(warnings()).isEmpty();
    }

    private static boolean onAGpuMachine() {
        Machine machine = Machine.detect();
        return machine.cudaInBuild() && machine.gpuDevice();
    }
}
