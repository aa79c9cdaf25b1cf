package io.infermesh.worker.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw tensors uploaded as NumPy {@code .npy} files (format 1.0–3.0): little-endian float32 or float64, C order, any
 * shape with the batch first. What {@code numpy.save} writes; skips the card's decoding.
 */
final class NpyDecoder {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyDecoder() {}

    static boolean isNpy(byte[] input) {
        if (input.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (input[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    static Tensor decode(byte[] input) {
        if (input.length < 10) {
            throw new InvalidInputException("the .npy file is cut short (" + input.length + " bytes)");
        }
        int major = input[6] & 0xff;
        ByteBuffer buffer = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength;
        int start;
        if (major == 1) {
            headerLength = buffer.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (input.length < 12) {
                throw new InvalidInputException("the .npy file is cut short (" + input.length + " bytes)");
            }
            headerLength = buffer.getInt(8);
            start = 12;
        } else {
            throw new InvalidInputException("the .npy file has format version " + major + "; this reads 1 to 3");
        }
        if (headerLength < 0 || start + headerLength > input.length) {
            throw new InvalidInputException("the .npy file is cut short: its header says " + headerLength + " bytes");
        }
        String header = new String(input, start, headerLength, StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, "descr");
        if ("True".equals(find(FORTRAN, header, "fortran_order"))) {
            throw new InvalidInputException("the .npy array is in Fortran order; save it in C order");
        }
        int width = switch (descr) {
            case "<f4", "=f4", "f4" -> 4;
            case "<f8", "=f8", "f8" -> 8;
            default ->
                throw new InvalidInputException("the .npy array holds '" + descr
                        + "'; the engine takes little-endian float32 ('<f4') or float64 ('<f8')");
        };
        List<Long> dims = new ArrayList<>();
        for (String part : find(SHAPE, header, "shape").split(",")) {
            if (!part.isBlank()) {
                try {
                    dims.add(Long.parseLong(part.trim()));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException("the .npy header's shape is not a list of sizes: " + header);
                }
            }
        }
        if (dims.size() < 2) {
            throw new InvalidInputException(
                    "the .npy array has shape " + dims + "; the engine takes a batch first, e.g. (1, 1, 8, 8)");
        }
        long count = 1;
        for (long d : dims) {
            if (d < 1 || count > Integer.MAX_VALUE / Math.max(1, d)) {
                throw new InvalidInputException("the .npy array's shape " + dims + " is empty or too large");
            }
            count *= d;
        }
        int data = start + headerLength;
        if ((long) input.length - data != count * width) {
            throw new InvalidInputException("the .npy array of shape " + dims + " needs " + count * width
                    + " bytes of data, the file has " + (input.length - data));
        }
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = width == 4 ? buffer.getFloat(data + 4 * i) : (float) buffer.getDouble(data + 8 * i);
        }
        return new Tensor(values, dims.stream().mapToLong(Long::longValue).toArray());
    }

    private static String find(Pattern pattern, String header, String field) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new InvalidInputException("the .npy header has no '" + field + "': " + header.trim());
        }
        return m.group(1);
    }
}
