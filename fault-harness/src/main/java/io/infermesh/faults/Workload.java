package io.infermesh.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * N uploads at a steady rate, round-robin across the example models ({@code digits} images, {@code iris} and
 * {@code fraud} JSON rows), each under {@code inbox/<model>/<owner>/}. An upload the S3 endpoint refuses (it may be
 * the fault) is tried again until it is taken: an object counts once it is in the bucket.
 */
final class Workload {

    /** One kind of input. */
    record Input(String model, String extension, String contentType, byte[] bytes) {}

    private final List<Input> inputs;

    Workload(List<Input> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    /** The example models' samples from {@code <modelsDir>/<model>/samples/}. */
    static Workload examples(Path modelsDir) {
        return new Workload(List.of(
                new Input("digits", "png", "image/png", read(modelsDir.resolve("digits/samples/digit-3.png"))),
                new Input("iris", "json", "application/json", read(modelsDir.resolve("iris/samples/setosa.json"))),
                new Input("fraud", "json", "application/json", read(modelsDir.resolve("fraud/samples/legit.json")))));
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sample " + file, e);
        }
    }

    /**
     * Uploads {@code jobs} objects at {@code perSecond} (0 = as fast as possible) and returns them; an upload that
     * fails is retried every 200 ms until {@code giveUp} has passed since it was first tried.
     */
    List<Checks.Upload> run(Outside outside, String owner, int jobs, double perSecond, Duration giveUp) {
        List<Checks.Upload> uploads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            if (perSecond > 0) {
                long due = start + (long) (i * 1_000_000_000L / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    pause(Duration.ofNanos(wait));
                }
            }
            Input input = inputs.get(i % inputs.size());
            String key = "inbox/%s/%s/%05d.%s".formatted(input.model(), owner, i, input.extension());
            long deadline = System.nanoTime() + giveUp.toNanos();
            // the first try is when the client wanted it done: time the endpoint refused it counts as held up
            Instant firstTry = Instant.now();
            while (true) {
                try {
                    outside.upload(key, input.bytes(), input.contentType());
                    uploads.add(new Checks.Upload(key, firstTry));
                    break;
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        System.err.println("fault-harness: gave up uploading " + key + ": " + e.getMessage());
                        break;
                    }
                    pause(Duration.ofMillis(200));
                }
            }
        }
        return uploads;
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
