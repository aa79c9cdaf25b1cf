package io.infermesh.ingest.notification;

import java.util.List;

/**
 * What one notification message holds: the object-created records, and the names of the records that are not
 * object creations (removals, accesses, test events), which are ignored and counted.
 */
public record BucketNotification(List<ObjectCreated> created, List<String> ignoredEventNames) implements QueueMessage {}
