/**
 * The read side: {@code GET /api/jobs}, {@code GET /api/jobs/{jobId}} and {@code GET /api/jobs/{jobId}/events},
 * documented in {@code /openapi.yaml}. Reads the tables the projection writes; never writes.
 */
package io.infermesh.status.jobs;
