package io.infermesh.router;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ObjectRef;
import java.time.Instant;
import java.util.UUID;

/** The jobs and the card the cloud backends' tests hand to Lambda and Batch: model digits, alice's input. */
public final class CloudJobFixtures {

    /** When every fixture job was requested. */
    public static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private CloudJobFixtures() {}

    /** A fresh job's {@code attempt} handed to {@code backend}. */
    public static JobDispatched job(Backend backend, int attempt) {
        String jobId = UUID.randomUUID().toString();
        return new JobDispatched(
                jobId,
                "digits",
                "alice",
                new ObjectRef("inbox", "digits/alice/seven.png", "v1", "e1", 123L, "image/png"),
                attempt,
                "test",
                NOW,
                NOW,
                0.000001,
                backend,
                ObjectRef.of("inbox", "results/digits/alice/" + jobId + "/result.json"),
                null);
    }

    /** A {@code lambda-batch} card naming the function (null: none) and the Batch queue and job definition. */
    public static ModelCard card(String function, String queue, String definition) {
        return new ModelCard(
                "digits",
                "1",
                "d",
                "model.onnx",
                null,
                null,
                new ModelCard.Resources(1_000_000L, 120, 2048, 1, 0, 0.5),
                new ModelCard.Placement(
                        "lambda-batch",
                        null,
                        null,
                        function == null ? null : new ModelCard.LambdaTarget(function, null),
                        queue == null ? null : new ModelCard.BatchTarget(queue, definition)));
    }
}
