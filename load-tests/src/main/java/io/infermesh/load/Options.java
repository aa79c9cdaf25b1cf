package io.infermesh.load;

import java.util.HashMap;
import java.util.Map;

/** {@code --name=value} options over defaults that point at the local mesh. */
final class Options {

    private final Map<String, String> values = new HashMap<>(Map.of(
            "s3",
            "http://127.0.0.1:9000",
            "kafka",
            "localhost:9092",
            "bucket",
            "infermesh",
            "access-key",
            "infermesh",
            "secret-key",
            "infermesh-secret",
            "model",
            "digits",
            "image",
            "models/digits/samples/digit-3.png",
            "out",
            "load-tests/results",
            "models-dir",
            "models"));

    Options(Iterable<String> args) {
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
    }

    String get(String name) {
        return values.get(name);
    }

    int getInt(String name, int fallback) {
        String value = values.get(name);
        try {
            return value == null ? fallback : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + value + "'");
        }
    }

    double getDouble(String name, double fallback) {
        String value = values.get(name);
        try {
            return value == null ? fallback : Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + value + "'");
        }
    }
}
