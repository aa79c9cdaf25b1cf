package io.infermesh.gateway.uploads;

import io.infermesh.gateway.catalogue.Catalogue;
import io.infermesh.gateway.storage.OwnedKeys;
import io.infermesh.gateway.storage.Storage;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Whether an upload may be signed, and what exactly is signed: a key in the caller's own inbox, the declared size
 * (within the card's limit), the content type and, unless the card decides, the placement the caller chose.
 */
final class UploadRules {

    /** The largest object one presigned PUT can write (S3's single-PUT limit), for a card that sets no limit. */
    static final long SINGLE_PUT_LIMIT = 5L * 1024 * 1024 * 1024;

    private static final Pattern MEDIA_TYPE =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*");

    /** What the caller asked to upload (the body of {@code POST /api/uploads}). */
    record UploadRequest(String model, String fileName, Long size, String contentType, String placement) {}

    /** An upload to sign. */
    record Accepted(String key, long size, String contentType, Map<String, String> metadata) {}

    /** Why not: a bad request, or an input larger than the model takes. */
    enum Refusal {
        BAD_REQUEST,
        TOO_LARGE
    }

    static final class Refused extends RuntimeException {
        final Refusal refusal;
        final String title;

        Refused(Refusal refusal, String title, String detail) {
            super(detail, null, false, false);
            this.refusal = refusal;
            this.title = title;
        }
    }

    private final Catalogue catalogue;
    private final OwnedKeys keys;

    UploadRules(Catalogue catalogue, OwnedKeys keys) {
        this.catalogue = catalogue;
        this.keys = keys;
    }

    Accepted decide(UploadRequest request, String owner) {
        if (request == null || request.model() == null || request.model().isBlank()) {
            throw bad("Unknown model", "name the model to upload for (\"model\")");
        }
        Catalogue.Model model = catalogue
                .find(request.model())
                .orElseThrow(() -> bad("Unknown model", "there is no model named '" + request.model() + "'"));
        if (request.size() == null || request.size() < 1) {
            throw bad("Invalid size", "\"size\" must be the file's size in bytes (1 or more), got " + request.size());
        }
        long limit = model.maxInputBytes() == null ? SINGLE_PUT_LIMIT : model.maxInputBytes();
        if (request.size() > limit) {
            throw new Refused(
                    Refusal.TOO_LARGE,
                    "Input too large",
                    "the file is " + request.size() + " bytes; model '" + model.name() + "' accepts at most " + limit
                            + " bytes");
        }
        String contentType =
                request.contentType() == null || request.contentType().isBlank()
                        ? "application/octet-stream"
                        : request.contentType().trim();
        if (!MEDIA_TYPE.matcher(contentType).matches()) {
            throw bad(
                    "Invalid content type",
                    "\"contentType\" must be a media type such as image/png, got '" + request.contentType() + "'");
        }
        String placement = request.placement() == null || request.placement().isBlank()
                ? Catalogue.AUTO
                : request.placement().trim();
        if (!model.placement().choices().contains(placement)) {
            throw bad(
                    "Placement not allowed",
                    "model '" + model.name() + "' (placement "
                            + model.placement().mode()
                            + ") may be placed "
                            + String.join(", ", model.placement().choices()) + "; not '" + placement
                            + "'");
        }
        String key;
        try {
            key = keys.uploadKey(model.name(), owner, request.fileName());
        } catch (IllegalArgumentException e) {
            throw bad("Invalid file name", e.getMessage());
        }
        Map<String, String> metadata =
                placement.equals(Catalogue.AUTO) ? Map.of() : Map.of(Storage.PLACEMENT_METADATA, placement);
        return new Accepted(key, request.size(), contentType, metadata);
    }

    private static Refused bad(String title, String detail) {
        return new Refused(Refusal.BAD_REQUEST, title, detail);
    }
}
