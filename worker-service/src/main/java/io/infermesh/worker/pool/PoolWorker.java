package io.infermesh.worker.pool;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.jobs.JobRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * An awake pool's Kafka side and its job threads: one consumer of the model's dispatch topic (group
 * {@code worker-service}) feeds a queue that up to {@code max-workers} job threads drain, a batch at a time. Offsets
 * are committed up to the first job that has not ended, so a record is committed only when it and everything before
 * it in its partition has ended. When to add a thread, pause or resume fetching and leave when idle is the pool's
 * {@link PoolSizing}; this class applies its answers. Told to stop, or leaving: jobs in hand end, queued ones are
 * handed back (not committed), the consumer leaves the group.
 */
final class PoolWorker {

    private static final Logger log = LoggerFactory.getLogger(PoolWorker.class);

    /** What every pool shares. */
    record Context(
            JobRunner runner,
            JsonMapper json,
            DeadLetters deadLetters,
            WorkerProperties.Pool settings,
            Supplier<Consumer<String, byte[]>> consumers) {}

    /** Where records go that cannot be run. */
    interface DeadLetters {
        void send(ConsumerRecord<String, byte[]> record, Throwable why);
    }

    /** Thrown inside a job thread when the pool stops during a retry pause: the record is handed back. */
    private static final class HandedBack extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private final ModelPool pool;
    private final Context context;
    private final WorkerProperties.Pool settings;
    private final Thread feeder;
    private final List<Thread> threads = new ArrayList<>();
    private final BlockingQueue<ConsumerRecord<String, byte[]>> queue = new LinkedBlockingQueue<>();
    /** Per partition, every offset taken and not yet committed, and whether its job has ended. */
    private final Map<TopicPartition, TreeMap<Long, Boolean>> pending = new HashMap<>();
    /** Per partition, how many of its records job threads hold right now. Guarded by {@link #pending}. */
    private final Map<TopicPartition, Integer> running = new HashMap<>();

    private final AtomicInteger busy = new AtomicInteger();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean leaving;
    /** Set by a job thread whose batch failed outside the job runner: the feeder then stops as after a crash. */
    private volatile Throwable broken;

    PoolWorker(ModelPool pool, Context context) {
        this.pool = pool;
        this.context = context;
        this.settings = context.settings();
        this.feeder = new Thread(this::feed, "pool-" + pool.model());
    }

    void start(int initialThreads) {
        feeder.start();
        synchronized (threads) {
            while (threads.size() < initialThreads) {
                addThread();
            }
        }
    }

    /** Job threads now. */
    int threads() {
        synchronized (threads) {
            return threads.size();
        }
    }

    int busy() {
        return busy.get();
    }

    /** Whether the worker is on its way out (idle, stopping or crashed): it takes no more threads. */
    boolean leaving() {
        return leaving;
    }

    /** Adds a job thread, as the pool's sizing said. */
    void grow() {
        synchronized (threads) {
            if (!leaving) { // the consumer may have begun to leave since the pool was read
                addThread();
            }
        }
    }

    private void addThread() {
        Thread t = new Thread(this::work, "pool-" + pool.model() + "-" + (threads.size() + 1));
        threads.add(t);
        t.start();
    }

    /** Finish the jobs in hand, hand back the queued ones, commit, leave the group. */
    void stop() {
        stopSignal.countDown();
    }

    boolean awaitExit(Duration timeout) throws InterruptedException {
        feeder.join(timeout);
        return !feeder.isAlive();
    }

    private boolean stopping() {
        return stopSignal.getCount() == 0;
    }

    // ---- the feeder: the only thread that touches the consumer ----

    private void feed() {
        boolean idle = false;
        boolean crashed = false;
        try (Consumer<String, byte[]> consumer = context.consumers().get()) {
            consumer.subscribe(List.of(pool.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    handBack(consumer, partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // records come as polled
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    // fenced: these are someone else's now; nothing to wait for or commit
                    synchronized (pending) {
                        queue.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
                        partitions.forEach(pending::remove);
                    }
                }
            });
            long lastWork = System.nanoTime();
            while (!stopping() && broken == null) {
                var records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, byte[]> record : records) {
                    synchronized (pending) {
                        pending.computeIfAbsent(
                                        new TopicPartition(record.topic(), record.partition()), tp -> new TreeMap<>())
                                .put(record.offset(), false);
                    }
                    queue.add(record);
                }
                commitEnded(consumer);
                int held = queue.size();
                switch (pool.sizing()
                        .afterPoll(held, !consumer.paused().isEmpty())
                        .action()) {
                    case PAUSE -> consumer.pause(consumer.assignment());
                    case RESUME -> consumer.resume(consumer.paused());
                    default -> {
                        // fetching as it is
                    }
                }
                PoolSizing.Action now = pool.idle(records.count(), held, busy.get(), System.nanoTime() - lastWork);
                if (now == PoolSizing.Action.WORKING) {
                    lastWork = System.nanoTime();
                } else if (now == PoolSizing.Action.LEAVE) {
                    idle = true;
                    break;
                }
            }
            leaving = true;
            if (broken != null) {
                // what the failed batch held is neither ended nor handed back: stop without committing past it;
                // the records come again when the pool wakes (runs are idempotent)
                crashed = true;
                queue.clear();
            } else {
                handBack(consumer, consumer.assignment());
            }
        } catch (RuntimeException e) {
            crashed = true;
            log.error("pool {}: its consumer failed; the pool wakes again for what is left", pool.model(), e);
        } finally {
            leaving = true;
            stopSignal.countDown();
            stopThreads();
            pool.exited(this, idle, crashed);
        }
    }

    /**
     * Partitions leaving this pool (a rebalance, or the pool stopping): their queued jobs are handed back, the ones in
     * hand end (within the drain timeout), and what has ended is committed.
     */
    private void handBack(Consumer<String, byte[]> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        synchronized (pending) {
            queue.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
            while (partitions.stream().anyMatch(tp -> running.getOrDefault(tp, 0) > 0)
                    && System.nanoTime() < deadline) {
                try {
                    pending.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        commitEnded(consumer);
        synchronized (pending) {
            partitions.forEach(pending::remove);
        }
    }

    /** Commits, per partition, up to the first record whose job has not ended. */
    private void commitEnded(Consumer<String, byte[]> consumer) {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        synchronized (pending) {
            for (var entry : pending.entrySet()) {
                TreeMap<Long, Boolean> offsets = entry.getValue();
                Long last = null;
                while (!offsets.isEmpty() && offsets.firstEntry().getValue()) {
                    last = offsets.pollFirstEntry().getKey();
                }
                if (last != null) {
                    commits.put(entry.getKey(), new OffsetAndMetadata(last + 1));
                }
            }
        }
        if (!commits.isEmpty()) {
            consumer.commitSync(commits);
        }
    }

    /** Takes records for a job thread: only those of partitions still this pool's, counted as running. */
    private List<ConsumerRecord<String, byte[]>> take(ConsumerRecord<String, byte[]> first) {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
        synchronized (pending) {
            batch.add(first);
            queue.drainTo(batch, settings.batchMaxSize() - 1);
            batch.removeIf(r -> {
                TreeMap<Long, Boolean> offsets = pending.get(new TopicPartition(r.topic(), r.partition()));
                return offsets == null || !offsets.containsKey(r.offset());
            });
            batch.forEach(r -> running.merge(new TopicPartition(r.topic(), r.partition()), 1, Integer::sum));
        }
        return batch;
    }

    /** Records a job thread is done with; those whose jobs ended may be committed. */
    private void release(List<ConsumerRecord<String, byte[]>> records, boolean ended) {
        synchronized (pending) {
            for (ConsumerRecord<String, byte[]> r : records) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                running.merge(tp, -1, (a, b) -> a + b == 0 ? null : a + b);
                TreeMap<Long, Boolean> offsets = pending.get(tp);
                if (ended && offsets != null && offsets.containsKey(r.offset())) {
                    offsets.put(r.offset(), true);
                }
            }
            pending.notifyAll();
        }
    }

    private void stopThreads() {
        List<Thread> all;
        synchronized (threads) {
            all = List.copyOf(threads);
        }
        queue.clear();
        for (Thread t : all) {
            try {
                t.join(settings.drainTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- the job threads ----

    private void work() {
        while (!leaving && broken == null) {
            List<ConsumerRecord<String, byte[]>> batch;
            try {
                ConsumerRecord<String, byte[]> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                if (settings.batchMaxWait().isPositive() && queue.size() < settings.batchMaxSize() - 1) {
                    // let more arrive: a bigger batch for a little latency
                    stopSignal.await(settings.batchMaxWait().toNanos(), TimeUnit.NANOSECONDS);
                }
                batch = take(first);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (batch.isEmpty()) {
                continue;
            }
            busy.incrementAndGet();
            boolean ended = false;
            try {
                process(batch);
                ended = true;
            } catch (HandedBack e) {
                log.info("pool {}: stopping; {} job(s) handed back", pool.model(), batch.size());
            } catch (Throwable e) {
                // Kafka or the dead-letter topic failed us, or a bug: the consumer stops without committing these
                // records, and the pool wakes again for them
                log.error(
                        "pool {}: a batch failed outside the job runner; the pool restarts and its {} record(s)"
                                + " come again",
                        pool.model(),
                        batch.size(),
                        e);
                broken = e;
            } finally {
                busy.decrementAndGet();
                release(batch, ended);
            }
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
                log.warn(
                        "pool {}: record {}-{}@{} is not a dispatched job; dead-lettering",
                        pool.model(),
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        e);
                // the dead letter's message may become the job's (status-service settles it): a sentence
                context.deadLetters()
                        .send(
                                record,
                                new IllegalArgumentException(
                                        "the dispatch record is not a JobDispatched JSON document", e));
                continue;
            }
            if (job == null || job.jobId() == null || job.model() == null || job.input() == null) {
                context.deadLetters()
                        .send(record, new IllegalArgumentException("a dispatched job needs jobId, model and input"));
                continue;
            }
            recordOf.put(job, record);
            jobs.add(job);
        }
        if (jobs.isEmpty()) {
            return;
        }
        Long wakeMs = pool.consumed();
        Map<JobDispatched, RuntimeException> unexpected = context.runner().runAll(jobs, new JobRunner.Start(wakeMs));
        unexpected.forEach((job, error) -> retry(job, error, recordOf.get(job)));
    }

    /** Tries again with a doubling pause; after the last try the job ends FAILED and its record is dead-lettered. */
    private void retry(JobDispatched job, RuntimeException first, ConsumerRecord<String, byte[]> record) {
        RuntimeException last = first;
        Duration pause = settings.retryBackoff();
        for (int attempt = 2; attempt <= settings.maxAttempts(); attempt++) {
            log.warn(
                    "pool {}: job {} failed unexpectedly (try {} of {}); trying again in {} ms",
                    pool.model(),
                    job.jobId(),
                    attempt - 1,
                    settings.maxAttempts(),
                    pause.toMillis(),
                    last);
            try {
                if (stopSignal.await(pause.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new HandedBack();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HandedBack();
            }
            pause = pause.multipliedBy(2);
            try {
                context.runner().run(job);
                return;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        log.error("pool {}: job {} failed on its last try; dead-lettering", pool.model(), job.jobId(), last);
        try {
            context.runner().failUnexpectedly(job, last);
        } finally {
            context.deadLetters().send(record, last);
        }
    }
}
