/**
 * What crosses a service boundary in infermesh: the job event records, {@link io.infermesh.contracts.JobStatus}
 * and its legal transitions, the {@link io.infermesh.contracts.Topics topic catalogue}, the CloudEvents header
 * names, and the {@link io.infermesh.contracts.ModelCard model card}. Data only: no clients, no Spring.
 *
 * <p>The JSON Schemas of the records are in {@code /schemas/*.schema.json} and the AsyncAPI document in
 * {@code /asyncapi.yaml}, both on the classpath of this jar.
 */
package io.infermesh.contracts;
