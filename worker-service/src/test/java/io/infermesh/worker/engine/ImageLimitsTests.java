package io.infermesh.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.ModelCard;
import io.infermesh.worker.catalogue.WorkerModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Images that cannot or must not be decoded end as invalid inputs with a sentence a person understands. */
class ImageLimitsTests {

    static final Path MODELS = Path.of("../models");
    static ModelEntry digits;
    static InferenceEngine engine;

    @BeforeAll
    static void load() {
        digits = WorkerModels.load(MODELS, List.of("digits")).find("digits").orElseThrow();
        engine = new InferenceEngine(JsonMapper.builder().build(), 1);
    }

    @AfterAll
    static void release() {
        engine.close();
    }

    @Test
    void aPngClaimingTenBillionPixelsIsRefusedFromItsHeaderWithoutDecoding() {
        byte[] bomb = ImageBombs.png(100_000, 100_000);
        assertThat(bomb.length).isLessThan(100);
        long before = usedHeap();

        assertThatThrownBy(() -> engine.run(digits, bomb))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("the image is 100000×100000 pixels (10,000.0 megapixels); the model accepts at most "
                        + "40,000,000 pixels");
        // 10^10 gray pixels would be 10 GB; refusing from the header allocates next to nothing
        assertThat(usedHeap() - before).isLessThan(256L * 1024 * 1024);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void theCardsPixelLimitApplies() throws Exception {
        ModelCard.Input strict = withMaxPixels(digits.card().input(), 32L * 32 - 1);
        byte[] digit = Files.readAllBytes(MODELS.resolve("digits/samples/digit-3.png"));
        assertThatThrownBy(() -> ImageDecoder.decode(digit, strict))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("the image is 32×32 pixels")
                .hasMessageContaining("at most 1,023 pixels");
        assertThat(ImageDecoder.decode(digit, withMaxPixels(digits.card().input(), 32L * 32))
                        .shape())
                .containsExactly(1, 1, 8, 8);
    }

    private static ModelCard.Input withMaxPixels(ModelCard.Input in, long maxPixels) {
        return new ModelCard.Input(
                in.kind(),
                in.width(),
                in.height(),
                in.channels(),
                in.layout(),
                in.invert(),
                in.scale(),
                in.mean(),
                in.std(),
                in.features(),
                maxPixels,
                in.steps());
    }

    @Test
    void aPngWithinTheLimitButWithCorruptPixelDataIsDamaged() {
        assertThatThrownBy(() -> engine.run(digits, ImageBombs.png(32, 32)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("the input is not a readable PNG or JPEG image: it is damaged or cut short");
    }

    @Test
    void aTruncatedJpegIsRefusedRatherThanReadAsGrey() throws Exception {
        byte[] jpeg = Files.readAllBytes(MODELS.resolve("digits/samples/digit-8.jpg"));
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertThatThrownBy(() -> engine.run(digits, truncated))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("damaged or cut short");
    }

    @Test
    void aTruncatedPngIsRefused() throws Exception {
        byte[] png = Files.readAllBytes(MODELS.resolve("digits/samples/digit-3.png"));
        assertThatThrownBy(() -> engine.run(digits, Arrays.copyOf(png, png.length - 30)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("damaged or cut short");
    }

    @Test
    void aTextFileNamedPngIsCalledText() {
        byte[] text = "these bytes are not a picture".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> engine.run(digits, text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("the input is not a PNG or JPEG image (29 bytes of an unrecognised format; it is text: "
                        + "\"these bytes are not a picture\")");
    }

    @Test
    void aWrongTensorShapeNamesTheShapeItNeeds() {
        assertThatThrownBy(() -> engine.run(digits, new Tensor(new float[10], new long[] {1, 1, 8, 8})))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("[1, 1, 8, 8]")
                .hasMessageContaining("got 10");
    }
}
