package io.infermesh.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.infermesh.worker.catalogue.WorkerModels;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Raw tensors uploaded as NumPy {@code .npy} files skip the card's decoding. {@code digit-3.npy} was written by
 * {@code numpy.save} from the training scripts' reference preprocessing of {@code digit-3.png}
 * ({@code models/training/engine_ref.py}), so both inputs must give the same answer.
 */
class RawTensorUploadTests {

    static final Path SAMPLES = Path.of("../models/digits/samples");
    static InferenceEngine engine;
    static ModelEntry digits;

    @BeforeAll
    static void load() {
        engine = new InferenceEngine(JsonMapper.builder().build(), 1);
        digits = WorkerModels.load(Path.of("../models"), List.of("digits"))
                .find("digits")
                .orElseThrow();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void anNpyTensorGivesWhatTheImageItWasMadeFromGives() throws Exception {
        Inference fromTensor = engine.run(digits, Files.readAllBytes(SAMPLES.resolve("digit-3.npy")));
        Inference fromImage = engine.run(digits, Files.readAllBytes(SAMPLES.resolve("digit-3.png")));

        assertThat(fromTensor.rows().getFirst().getFirst().label()).isEqualTo("3");
        for (int i = 0; i < 5; i++) {
            assertThat(fromTensor.rows().getFirst().get(i).label())
                    .isEqualTo(fromImage.rows().getFirst().get(i).label());
            assertThat(fromTensor.rows().getFirst().get(i).probability())
                    .isCloseTo(fromImage.rows().getFirst().get(i).probability(), within(1e-4));
        }
    }

    @Test
    void float64AndSeveralRowsAreTaken() {
        double[] values = new double[2 * 64];
        Inference two = engine.run(digits, npy("<f8", "(2, 1, 8, 8)", values));
        assertThat(two.rows()).hasSize(2);
    }

    @Test
    void aTensorOfTheWrongShapeFailsNamingBothShapes() {
        assertThatThrownBy(() -> engine.run(digits, npy("<f4", "(1, 1, 4, 4)", new double[16])))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("the tensor has shape [1, 1, 4, 4]; model 'digits' takes [any, 1, 8, 8] (batch first)");
    }

    @Test
    void unreadableNpyFilesFailWithTheirReason() {
        assertThatThrownBy(() -> engine.run(digits, npy(">f4", "(1, 1, 8, 8)", new double[64])))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("little-endian float32");
        byte[] whole = npy("<f4", "(1, 1, 8, 8)", new double[64]);
        assertThatThrownBy(() -> engine.run(digits, Arrays.copyOf(whole, whole.length - 10)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("needs 256 bytes of data");
        assertThatThrownBy(() -> engine.run(digits, npy("<f4", "(64,)", new double[64])))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("a batch first");
    }

    /** An .npy file as numpy.save writes it (format 1.0, header padded to 64 bytes). */
    static byte[] npy(String descr, String shape, double[] values) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = 64 - (10 + dict.length() + 1) % 64;
        String header = dict + " ".repeat(pad % 64) + "\n";
        int width = descr.endsWith("8") ? 8 : 4;
        ByteBuffer data = ByteBuffer.allocate(values.length * width)
                .order(descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (width == 8) {
                data.putDouble(v);
            } else {
                data.putFloat((float) v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(header.length() & 0xff);
        out.write(header.length() >> 8);
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data.array());
        return out.toByteArray();
    }
}
