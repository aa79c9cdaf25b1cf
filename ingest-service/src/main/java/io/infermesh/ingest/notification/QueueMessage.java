package io.infermesh.ingest.notification;

/**
 * What one queue message holds, told apart by its shape ({@link QueueMessageReader}): a bucket notification (its
 * uploads become jobs) or a cloud backend's report on a job's attempt (it becomes a lifecycle event).
 */
public sealed interface QueueMessage permits BucketNotification, BackendReport {}
