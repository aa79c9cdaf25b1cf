package io.infermesh.worker;

/** {@link WorkerKafka}'s worker configuration for tests in other packages. */
public final class WorkerKafkaAccess {

    private WorkerKafkaAccess() {}

    /** The properties that point a worker at the local infrastructure. */
    public static String[] properties(String resultsBucket) {
        return WorkerKafka.properties(resultsBucket);
    }
}
