package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a job runs. */
public enum Backend {
    /** The model's on-premises worker pool, fed by {@code infermesh.jobs.dispatch.<model>}. */
    @JsonProperty("onprem")
    ONPREM,
    /** AWS Lambda, asynchronous invocation. */
    @JsonProperty("lambda")
    LAMBDA,
    /** AWS Batch, SubmitJob. */
    @JsonProperty("batch")
    BATCH
}
