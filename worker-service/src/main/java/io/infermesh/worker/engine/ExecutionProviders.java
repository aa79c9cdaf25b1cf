package io.infermesh.worker.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import io.infermesh.contracts.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Which execution provider runs a model, decided once per load: CUDA when the card asks for a GPU
 * ({@code resources.gpus} ≥ 1), ONNX Runtime's GPU build is on the classpath and the machine has an NVIDIA device;
 * otherwise CPU, with the reason when the card asked for a GPU. A CUDA provider that then fails to start (its CUDA
 * libraries missing, a driver too old, no usable device) is a fallback to CPU too: a model is never left unloaded
 * for want of a GPU, and the job's result says which provider ran.
 */
final class ExecutionProviders {

    /** The CUDA device a GPU session uses; {@code CUDA_VISIBLE_DEVICES} chooses which physical GPU that is. */
    static final int CUDA_DEVICE = 0;

    private ExecutionProviders() {}

    /**
     * The provider chosen for a model.
     *
     * @param provider the provider to run the model with
     * @param fallback why the model runs on CPU although its card asks for a GPU; null when it runs where its card
     *     asks
     */
    record Choice(ExecutionProvider provider, String fallback) {

        static final Choice CPU = new Choice(ExecutionProvider.CPU, null);
        static final Choice CUDA = new Choice(ExecutionProvider.CUDA, null);

        static Choice cpuBecause(String why) {
            return new Choice(ExecutionProvider.CPU, why);
        }

        /** Whether the card asked for a GPU and the model runs on CPU. */
        boolean fellBack() {
            return fallback != null;
        }
    }

    /**
     * What the machine offers.
     *
     * @param cudaInBuild whether the ONNX Runtime on the classpath has the CUDA provider (its GPU build)
     * @param gpuDevice whether the machine shows an NVIDIA device (true where that cannot be told: CUDA then decides)
     */
    record Machine(boolean cudaInBuild, boolean gpuDevice) {

        /** This machine: ONNX Runtime's providers, and the NVIDIA device files Linux exposes for each GPU. */
        static Machine detect() {
            return new Machine(
                    OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                    nvidiaDevicePresent(Path.of("/dev"), System.getProperty("os.name", "")));
        }
    }

    /** The decision table: card wants a GPU? CUDA in the build? a device? → CUDA, or CPU with the reason. */
    static Choice choose(ModelCard card, Machine machine) {
        int gpus = card.resources() == null ? 0 : card.resources().gpusOrZero();
        if (gpus < 1) {
            return Choice.CPU;
        }
        if (!machine.cudaInBuild()) {
            return Choice.cpuBecause("no GPU build of ONNX Runtime on the classpath (the worker was built without"
                    + " -Pgpu, so ONNX Runtime offers no CUDA provider)");
        }
        if (!machine.gpuDevice()) {
            return Choice.cpuBecause("no GPU device on this machine (no /dev/nvidia0: no NVIDIA GPU, or the"
                    + " container was started without one)");
        }
        return Choice.CUDA;
    }

    /** The fallback when the CUDA provider was chosen but ONNX Runtime could not add it to the session options. */
    static Choice cudaDidNotLoad(OrtException e) {
        return Choice.cpuBecause("the CUDA provider failed to load (" + e.getCode() + ": " + firstLine(e) + ")");
    }

    /** The fallback when the CUDA provider loaded but no session could be created with it. */
    static Choice cudaSessionFailed(OrtException e) {
        return Choice.cpuBecause("the CUDA provider could not start a session, no usable device (" + e.getCode() + ": "
                + firstLine(e) + ")");
    }

    /**
     * Whether Linux shows an NVIDIA GPU: the driver creates {@code /dev/nvidia<n>} for each device, and a container
     * sees them only when it was given a GPU. On other systems the answer is yes: let CUDA tell.
     */
    static boolean nvidiaDevicePresent(Path dev, String osName) {
        if (!osName.toLowerCase(Locale.ROOT).contains("linux")) {
            return true;
        }
        try (Stream<Path> files = Files.list(dev)) {
            return files.anyMatch(f -> f.getFileName().toString().matches("nvidia\\d+"));
        } catch (IOException e) {
            return false;
        }
    }

    /** ONNX Runtime's message on one line, without its "Error code - … - message:" prefix (the code is said). */
    private static String firstLine(OrtException e) {
        String message = String.valueOf(e.getMessage()).strip();
        int said = message.indexOf(" - message: ");
        if (message.startsWith("Error code - ") && said > 0) {
            message = message.substring(said + " - message: ".length()).strip();
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end).strip();
    }
}
