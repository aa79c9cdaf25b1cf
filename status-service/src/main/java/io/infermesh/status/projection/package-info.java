/**
 * The write side: lifecycle events from {@code infermesh.jobs.lifecycle} become rows in {@code jobs} (the current
 * state of each job) and {@code job_events} (its history). {@link io.infermesh.status.projection.LifecycleProjection}
 * decides what an event means; {@code JobProjectionStore} applies it in one guarded SQL statement;
 * {@code JobLifecycleConsumer} is the Spring Cloud Stream function that connects the two.
 */
package io.infermesh.status.projection;
