package io.infermesh.worker.engine;

import io.infermesh.contracts.ModelCard;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns a PNG or JPEG into the model's input tensor, as the card says: grayscale or RGB, area-averaged to the
 * model's size in floating point, optionally inverted, scaled and normalised per channel, NCHW or NHWC. Images larger
 * than the card's {@code input.maxPixels} are refused from their header, before decoding.
 */
final class ImageDecoder {

    private ImageDecoder() {}

    static Tensor decode(byte[] bytes, ModelCard.Input spec) {
        BufferedImage image = read(bytes, spec.maxPixelsOrDefault());
        int channels = spec.channels() == null ? 3 : spec.channels();
        int width = spec.width();
        int height = spec.height();
        double[][] planes = new double[channels][];
        double[][] source = channels(image, channels);
        for (int c = 0; c < channels; c++) {
            planes[c] = areaAverage(source[c], image.getWidth(), image.getHeight(), width, height);
        }
        boolean invert = Boolean.TRUE.equals(spec.invert());
        double scale = spec.scale() == null ? 1.0 : spec.scale();
        float[] data = new float[channels * width * height];
        boolean nhwc = "NHWC".equals(spec.layout());
        for (int c = 0; c < channels; c++) {
            double mean = at(spec.mean(), c, 0.0);
            double std = at(spec.std(), c, 1.0);
            for (int i = 0; i < width * height; i++) {
                double p = planes[c][i];
                double v = ((invert ? 255.0 - p : p) * scale - mean) / std;
                data[nhwc ? i * channels + c : c * width * height + i] = (float) v;
            }
        }
        long[] shape = nhwc ? new long[] {1, height, width, channels} : new long[] {1, channels, height, width};
        return new Tensor(data, shape);
    }

    /**
     * Decodes the first image, after reading its size from the header: an image too large is refused before any
     * pixel is allocated (a small file can claim 100000×100000 pixels, a decompression bomb). A JPEG that ends early
     * is refused too: ImageIO only warns about it and fills the rest with grey.
     */
    static BufferedImage read(byte[] bytes, long maxPixels) {
        // in memory: ImageIO's default stream caches to a temporary file, one per image
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidInputException("the input is not a PNG or JPEG image (" + bytes.length
                        + " bytes of an unrecognised format" + textHint(bytes) + ")");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                String format = reader.getFormatName().toUpperCase(Locale.ROOT);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width * height > maxPixels) {
                    throw new InvalidInputException(String.format(
                            Locale.ROOT,
                            "the image is %d×%d pixels (%,.1f megapixels); the model accepts at most %,d pixels",
                            width,
                            height,
                            width * height / 1e6,
                            maxPixels));
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new InvalidInputException(
                            "the " + format + " image is damaged or cut short (" + String.join("; ", warnings) + ")");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidInputException invalid) {
                throw invalid;
            }
            // the reader's own text (a zlib or JPEG marker error) is no sentence for the job's owner
            throw new InvalidInputException(
                    "the input is not a readable PNG or JPEG image: it is damaged or cut short", e);
        }
    }

    /** For a text file uploaded as an image, what it starts with: a person then sees what went wrong. */
    private static String textHint(byte[] bytes) {
        int n = Math.min(bytes.length, 40);
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xff;
            if (b < 0x09 || (b > 0x0d && b < 0x20) || b == 0x7f) {
                return "";
            }
        }
        String start = new String(bytes, 0, n, StandardCharsets.UTF_8).strip();
        return n == 0 ? "" : "; it is text: \"" + start + (bytes.length > n ? "…" : "") + "\"";
    }

    /** Pixel planes in 0..255. Gray images are read from the raster: getRGB would apply a gamma change. */
    private static double[][] channels(BufferedImage image, int channels) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        boolean gray = raster.getNumBands() <= 2
                && image.getColorModel().getColorSpace().getNumComponents() == 1;
        double max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
        double[][] planes = new double[channels][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (gray) {
                    double g = raster.getSample(x, y, 0) * 255.0 / max;
                    for (int c = 0; c < channels; c++) {
                        planes[c][i] = g;
                    }
                } else {
                    int rgb = image.getRGB(x, y);
                    double r = (rgb >> 16) & 0xff;
                    double g = (rgb >> 8) & 0xff;
                    double b = rgb & 0xff;
                    if (channels == 1) {
                        planes[0][i] = 0.299 * r + 0.587 * g + 0.114 * b;
                    } else {
                        planes[0][i] = r;
                        planes[1][i] = g;
                        planes[2][i] = b;
                    }
                }
            }
        }
        return planes;
    }

    /** Box-filter resampling: each output pixel is the coverage-weighted mean of the source pixels under it. */
    static double[] areaAverage(double[] src, int sw, int sh, int dw, int dh) {
        double[] out = new double[dw * dh];
        double sx = (double) sw / dw;
        double sy = (double) sh / dh;
        for (int oy = 0; oy < dh; oy++) {
            double y0 = oy * sy;
            double y1 = y0 + sy;
            for (int ox = 0; ox < dw; ox++) {
                double x0 = ox * sx;
                double x1 = x0 + sx;
                double sum = 0;
                double area = 0;
                for (int y = (int) Math.floor(y0); y < Math.min(sh, (int) Math.ceil(y1)); y++) {
                    double wy = Math.min(y + 1, y1) - Math.max(y, y0);
                    for (int x = (int) Math.floor(x0); x < Math.min(sw, (int) Math.ceil(x1)); x++) {
                        double wx = Math.min(x + 1, x1) - Math.max(x, x0);
                        sum += src[y * sw + x] * wx * wy;
                        area += wx * wy;
                    }
                }
                out[oy * dw + ox] = sum / area;
            }
        }
        return out;
    }

    private static double at(List<Double> values, int i, double fallback) {
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        return values.get(Math.min(i, values.size() - 1));
    }
}
