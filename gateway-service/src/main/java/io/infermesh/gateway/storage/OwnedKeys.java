package io.infermesh.gateway.storage;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one rule of whose objects are whose: {@code <inbox>/<model>/<owner>/…} and {@code <results>/<model>/<owner>/…}
 * belong to {@code owner}; nothing else belongs to anybody here. Plain, so every path into the store (uploads,
 * downloads, deletes, job inputs and results) asks the same question.
 */
public final class OwnedKeys {

    /** What a file name may keep: letters, digits, dot, dash, underscore; anything else becomes a dash. */
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]+");

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._@+=-]+");
    private static final int MAX_FILE_NAME = 100;
    private static final int MAX_KEY = 1024;

    /** Which side of the store a key is on. */
    public enum Side {
        INBOX,
        RESULTS
    }

    /**
     * A key the caller owns.
     *
     * @param key the key
     * @param side inbox (an input) or results
     * @param model the model segment
     */
    public record Owned(String key, Side side, String model) {}

    private final String inboxPrefix;
    private final String resultsPrefix;

    public OwnedKeys(String inboxPrefix, String resultsPrefix) {
        this.inboxPrefix = inboxPrefix;
        this.resultsPrefix = resultsPrefix;
    }

    /** {@code <inbox>/<model>/<owner>/}: where an owner's uploads for a model go. */
    public String inboxOf(String model, String owner) {
        return inboxPrefix + segment(model) + "/" + segment(owner) + "/";
    }

    /** {@code <results>/<model>/<owner>/}: where an owner's results of a model are. */
    public String resultsOf(String model, String owner) {
        return resultsPrefix + segment(model) + "/" + segment(owner) + "/";
    }

    /**
     * A fresh key for an upload: {@code <inbox>/<model>/<owner>/<8 random hex>-<file name>}, the name cut to its last
     * path segment and to safe characters, so no name reaches another prefix.
     *
     * @throws IllegalArgumentException when nothing usable is left of the file name
     */
    public String uploadKey(String model, String owner, String fileName) {
        String name = fileName(fileName)
                .orElseThrow(() -> new IllegalArgumentException(
                        "the file name '" + fileName + "' has no usable characters (letters, digits, '.', '-', '_')"));
        return inboxOf(model, owner) + UUID.randomUUID().toString().substring(0, 8) + "-" + name;
    }

    /** A file name as it may appear in a key: its last path segment, safe characters only, not hidden, bounded. */
    static Optional<String> fileName(String fileName) {
        if (fileName == null) {
            return Optional.empty();
        }
        String last = fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
        String safe =
                UNSAFE.matcher(last).replaceAll("-").replaceAll("^[.-]+", "").replaceAll("-+$", "");
        if (safe.length() > MAX_FILE_NAME) {
            int dot = safe.lastIndexOf('.');
            String extension = dot > 0 && safe.length() - dot <= 10 ? safe.substring(dot) : "";
            safe = safe.substring(0, MAX_FILE_NAME - extension.length()) + extension;
        }
        return safe.isEmpty() || safe.chars().allMatch(c -> c == '.') ? Optional.empty() : Optional.of(safe);
    }

    /**
     * The key as the caller's own object, or empty when it is not theirs: another owner's, outside both prefixes, or
     * with a segment that could climb ({@code ..}), an empty segment or characters a key of ours never has.
     */
    public Optional<Owned> owned(String key, String owner) {
        if (key == null
                || owner == null
                || key.length() > MAX_KEY
                || key.indexOf('\\') >= 0
                || key.chars().anyMatch(Character::isISOControl)) {
            return Optional.empty();
        }
        Side side;
        String rest;
        if (key.startsWith(inboxPrefix)) {
            side = Side.INBOX;
            rest = key.substring(inboxPrefix.length());
        } else if (key.startsWith(resultsPrefix)) {
            side = Side.RESULTS;
            rest = key.substring(resultsPrefix.length());
        } else {
            return Optional.empty();
        }
        String[] segments = rest.split("/", -1);
        if (segments.length < 3) {
            return Optional.empty();
        }
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.empty();
            }
        }
        if (!segments[1].equals(owner)) {
            return Optional.empty();
        }
        return Optional.of(new Owned(key, side, segments[0]));
    }

    /** A model or owner as one key segment; anything that could split or climb is refused outright. */
    private static String segment(String value) {
        if (value == null || !SEGMENT.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException("'" + value + "' cannot be one segment of an object key");
        }
        return value;
    }
}
