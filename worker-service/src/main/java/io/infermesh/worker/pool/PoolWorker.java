package io.infermesh.worker.pool;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.jobs.JobRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * One worker of a model's pool: a Kafka consumer of the model's dispatch topic (group {@code worker-service}) on its
 * own thread. It takes what is waiting, up to a batch, runs it through the {@link JobRunner} (one model invocation
 * where the model batches), retries jobs that failed unexpectedly and dead-letters them after the last try, and
 * commits only what has ended. It leaves after an idle timeout when the pool allows, or when told to stop — after
 * finishing the jobs it holds; records it polled but did not start are not committed, so another worker gets them.
 */
public final class PoolWorker {

    private static final Logger log = LoggerFactory.getLogger(PoolWorker.class);

    /** What every worker shares. */
    public record Context(JobRunner runner, JsonMapper json, DeadLetters deadLetters, WorkerProperties.Pool settings,
            Supplier<Consumer<String, byte[]>> consumers) {
    }

    /** Where records go that cannot be run. */
    public interface DeadLetters {
        void send(ConsumerRecord<String, byte[]> record, Throwable why);
    }

    private final ModelPool pool;
    private final Context context;
    private final Thread thread;
    private final CountDownLatch stopSignal = new CountDownLatch(1);

    PoolWorker(ModelPool pool, Context context, int number) {
        this.pool = pool;
        this.context = context;
        this.thread = new Thread(this::run, "pool-" + pool.model() + "-" + number);
    }

    void start() {
        thread.start();
    }

    /** Finish the jobs in hand, commit, leave the group (within a poll's 100 ms when idle). */
    void stop() {
        stopSignal.countDown();
    }

    boolean awaitExit(Duration timeout) throws InterruptedException {
        thread.join(timeout);
        return !thread.isAlive();
    }

    private boolean stopping() {
        return stopSignal.getCount() == 0;
    }

    private void run() {
        WorkerProperties.Pool settings = context.settings();
        boolean idle = false;
        boolean crashed = false;
        try (Consumer<String, byte[]> c = context.consumers().get()) {
            c.subscribe(List.of(pool.topic()));
            long lastWork = System.nanoTime();
            while (!stopping()) {
                List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
                c.poll(Duration.ofMillis(100)).forEach(batch::add);
                if (!batch.isEmpty() && batch.size() < settings.batchMaxSize()
                        && settings.batchMaxWait().isPositive()) {
                    ConsumerRecords<String, byte[]> more = c.poll(settings.batchMaxWait());
                    more.forEach(batch::add);
                }
                if (batch.isEmpty()) {
                    if (System.nanoTime() - lastWork > settings.idleTimeout().toNanos() && pool.mayLeave()) {
                        idle = true;
                        break;
                    }
                    continue;
                }
                pool.busy(1);
                try {
                    process(batch);
                } finally {
                    pool.busy(-1);
                }
                c.commitSync(next(batch));
                lastWork = System.nanoTime();
            }
        } catch (WakeupException e) {
            // stopped during a retry pause: that batch is not committed and comes again (runs are idempotent)
        } catch (RuntimeException e) {
            crashed = true;
            log.error("pool {}: worker {} stopped by an error; the pool wakes again for what is left", pool.model(),
                    thread.getName(), e);
        } finally {
            pool.exited(this, idle, crashed);
        }
    }

    private void process(List<ConsumerRecord<String, byte[]>> records) {
        Map<JobDispatched, ConsumerRecord<String, byte[]>> recordOf = new IdentityHashMap<>();
        List<JobDispatched> jobs = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            JobDispatched job;
            try {
                job = context.json().readValue(record.value(), JobDispatched.class);
            } catch (JacksonException | IllegalArgumentException e) {
                log.warn("pool {}: record {}-{}@{} is not a dispatched job; dead-lettering", pool.model(),
                        record.topic(), record.partition(), record.offset(), e);
                context.deadLetters().send(record, e);
                continue;
            }
            if (job == null || job.jobId() == null || job.model() == null || job.input() == null) {
                context.deadLetters().send(record, new IllegalArgumentException(
                        "a dispatched job needs jobId, model and input"));
                continue;
            }
            recordOf.put(job, record);
            jobs.add(job);
        }
        if (jobs.isEmpty()) {
            return;
        }
        Long wakeMs = pool.consumed();
        Map<JobDispatched, RuntimeException> unexpected = pool.runner().runAll(jobs,
                new JobRunner.Start(wakeMs));
        unexpected.forEach((job, error) -> retry(job, error, recordOf.get(job)));
    }

    /** Tries again with a doubling pause; after the last try the job ends FAILED and its record is dead-lettered. */
    private void retry(JobDispatched job, RuntimeException first, ConsumerRecord<String, byte[]> record) {
        RuntimeException last = first;
        Duration pause = context.settings().retryBackoff();
        for (int attempt = 2; attempt <= context.settings().maxAttempts(); attempt++) {
            log.warn("pool {}: job {} failed unexpectedly (try {} of {}); trying again in {} ms", pool.model(),
                    job.jobId(), attempt - 1, context.settings().maxAttempts(), pause.toMillis(), last);
            try {
                if (stopSignal.await(pause.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new WakeupException(); // stopping: leave the record uncommitted for the next worker
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException();
            }
            pause = pause.multipliedBy(2);
            try {
                pool.runner().run(job);
                return;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        log.error("pool {}: job {} failed on its last try; dead-lettering", pool.model(), job.jobId(), last);
        try {
            pool.runner().failUnexpectedly(job, last);
        } finally {
            context.deadLetters().send(record, last);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> next(List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }
}
