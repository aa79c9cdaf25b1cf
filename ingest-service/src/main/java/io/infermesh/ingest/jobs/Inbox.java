package io.infermesh.ingest.jobs;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.ingest.notification.ObjectCreated;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Decides what an object-created record means: a job, nothing (with a reason), or a job that fails at once because
 * its key cannot name a model and an owner, or because the placement its owner chose is not one we know. Plain logic:
 * no Kafka, no Spring.
 */
public final class Inbox {

    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");
    /** The placement choices an owner may make, as the gateway offers them. */
    static final List<String> PLACEMENTS = List.of("auto", "onprem", "lambda", "batch");

    private static final int MAX_QUOTED = 64;

    private final List<Location> locations;
    private final int maxKeyBytes;

    /**
     * @param inboxes {@code <bucket>/<prefix>} entries, {@code *} for any bucket
     * @param maxKeyBytes the longest key accepted
     */
    public Inbox(List<String> inboxes, int maxKeyBytes) {
        this.locations = inboxes.stream().map(Location::parse).toList();
        this.maxKeyBytes = maxKeyBytes;
    }

    /** What an object-created record becomes. */
    public sealed interface Outcome {}

    /**
     * A job to create.
     *
     * @param requestedBackend where its owner asked it to run ({@code x-amz-meta-infermesh-placement}); null: the
     *     model card decides ({@code auto}, or no placement metadata)
     */
    public record NewJob(String jobId, String model, String owner, ObjectRef input, Backend requestedBackend)
            implements Outcome {}

    /** A job that fails at once; it is still created so that its owner can see why. */
    public record RejectedJob(
            String jobId, String model, String owner, ObjectRef input, FailureReason reason, String message)
            implements Outcome {}

    /** Nothing to do, and why (a metric tag). */
    public record Ignored(String reason) implements Outcome {}

    public Outcome classify(ObjectCreated object) {
        if (object.key().endsWith("/")) {
            return new Ignored("folder");
        }
        Location location = locations.stream()
                .filter(l -> l.matches(object.bucket(), object.key()))
                .findFirst()
                .orElse(null);
        if (location == null) {
            return new Ignored("outside-inbox");
        }
        ObjectRef input = new ObjectRef(
                object.bucket(), object.key(), object.versionId(), object.eTag(), object.size(), object.contentType());
        String jobId = jobId(object.bucket(), object.key(), object.version());
        String rest = object.key().substring(location.prefix().length());
        String[] parts = rest.split("/", 3);
        String model = parts.length > 0 && !parts[0].isEmpty() ? parts[0] : "unknown";
        String owner = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : "unknown";
        String problem = keyProblem(object.key(), parts);
        if (problem != null) {
            return new RejectedJob(jobId, model, owner, input, FailureReason.INVALID_KEY, problem);
        }
        String placement = object.placement();
        String choice = placement == null ? "" : placement.trim().toLowerCase(Locale.ROOT);
        if (!choice.isEmpty() && !PLACEMENTS.contains(choice)) {
            return new RejectedJob(
                    jobId,
                    model,
                    owner,
                    input,
                    FailureReason.INVALID_INPUT,
                    "the placement '"
                            + quoted(placement) + "' (x-amz-meta-" + ObjectCreated.PLACEMENT_METADATA
                            + ") is not one of "
                            + String.join(", ", PLACEMENTS)
                            + "; upload again with one of them, or without it to let the "
                            + "model card decide");
        }
        return new NewJob(jobId, model, owner, input, requestedBackend(choice));
    }

    /** A value as its owner wrote it, cut short: metadata may hold up to 2 KB, a status message should not. */
    private static String quoted(String value) {
        return value.codePointCount(0, value.length()) <= MAX_QUOTED
                ? value
                : value.substring(0, value.offsetByCodePoints(0, MAX_QUOTED)) + "…";
    }

    /** An owner's known placement choice as a backend; null for {@code auto} (the model card decides). */
    private static Backend requestedBackend(String choice) {
        return switch (choice) {
            case "onprem" -> Backend.ONPREM;
            case "lambda" -> Backend.LAMBDA;
            case "batch" -> Backend.BATCH;
            default -> null;
        };
    }

    private String keyProblem(String key, String[] parts) {
        if (key.getBytes(StandardCharsets.UTF_8).length > maxKeyBytes) {
            return "the object key is longer than " + maxKeyBytes + " bytes";
        }
        if (key.chars().anyMatch(Character::isISOControl)) {
            return "the object key contains control characters";
        }
        if (parts.length < 3 || parts[2].isEmpty()) {
            return "the object key must be <model>/<owner>/<file> under the inbox prefix, e.g. inbox/digits/alice/seven.png";
        }
        for (String segment : key.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                return "the object key contains a '" + segment + "' path segment";
            }
        }
        if (!Topics.MODEL_NAME.matcher(parts[0]).matches()) {
            return "'" + parts[0] + "' is not a model name (lower-case letters, digits and '-', at most 63)";
        }
        if (!OWNER.matcher(parts[1]).matches()) {
            return "'" + parts[1] + "' is not an owner name (letters, digits, '.', '_', '@', '-', at most 128)";
        }
        return null;
    }

    /**
     * The job id of an object version: a name-based UUID of {@code s3://bucket/key#version}, so the same object
     * announced twice, or by two intake paths, is the same job.
     */
    public static String jobId(String bucket, String key, String version) {
        String name = "s3://" + bucket + "/" + key + "#" + (version == null ? "" : version);
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private record Location(String bucket, String prefix) {
        static Location parse(String inbox) {
            int slash = inbox.indexOf('/');
            if (slash <= 0) {
                throw new IllegalArgumentException("an inbox is <bucket>/<prefix>, e.g. */inbox/ - got: " + inbox);
            }
            return new Location(inbox.substring(0, slash), inbox.substring(slash + 1));
        }

        boolean matches(String bucket, String key) {
            return ("*".equals(this.bucket) || this.bucket.equals(bucket)) && key.startsWith(prefix);
        }
    }
}
