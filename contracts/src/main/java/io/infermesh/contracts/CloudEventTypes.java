package io.infermesh.contracts;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CloudEvents 1.0 in Kafka binary mode: the body is the JSON record, the attributes are {@code ce_*} headers.
 * These are the header names and the {@code ce_type} values the mesh uses.
 */
public final class CloudEventTypes {

    public static final String SPEC_VERSION = "1.0";

    public static final String HEADER_SPEC_VERSION = "ce_specversion";
    public static final String HEADER_ID = "ce_id";
    public static final String HEADER_TYPE = "ce_type";
    public static final String HEADER_SOURCE = "ce_source";
    public static final String HEADER_SUBJECT = "ce_subject";
    public static final String HEADER_TIME = "ce_time";
    public static final String HEADER_CONTENT_TYPE = "content-type";

    public static final String JOB_REQUESTED = "io.infermesh.job.requested.v1";
    public static final String JOB_DISPATCHED = "io.infermesh.job.dispatched.v1";
    public static final String JOB_STATUS_CHANGED = "io.infermesh.job.status-changed.v1";
    public static final String JOB_RESULT = "io.infermesh.job.result.v1";
    public static final String POOL_STATUS = "io.infermesh.worker.pool-status.v1";

    /** The {@code ce_source} of a service: {@code /infermesh/<service>}. */
    public static String source(String service) {
        return "/infermesh/" + service;
    }

    /**
     * The CloudEvents binary-mode headers of one event, in a stable order.
     *
     * @param id the stable event id (duplicates share it)
     * @param type one of the {@code JOB_*} types
     * @param service the emitting service, for {@code ce_source}
     * @param subject the job id
     * @param time when the event happened
     */
    public static Map<String, String> headers(String id, String type, String service, String subject, Instant time) {
        var headers = new LinkedHashMap<String, String>();
        headers.put(HEADER_SPEC_VERSION, SPEC_VERSION);
        headers.put(HEADER_ID, id);
        headers.put(HEADER_TYPE, type);
        headers.put(HEADER_SOURCE, source(service));
        headers.put(HEADER_SUBJECT, subject);
        headers.put(HEADER_TIME, time.toString());
        headers.put(HEADER_CONTENT_TYPE, "application/json");
        return Collections.unmodifiableMap(headers);
    }

    private CloudEventTypes() {}
}
