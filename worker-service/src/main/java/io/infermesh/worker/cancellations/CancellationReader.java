package io.infermesh.worker.cancellations;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topic;
import io.infermesh.contracts.Topics;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads all of {@link Topics#JOBS_CANCELLATIONS} into {@link CancelledJobs}, in every instance: a consumer assigned
 * every partition, without a group (each instance must see every cancellation, and there is nothing to commit: it
 * starts from the earliest retained record each time). It starts before the pools and waits, up to
 * {@code catch-up-timeout}, until it has read what the topic held, so that dispatches queued before this instance
 * started are checked against every cancellation retained; then it follows the topic live on its own thread.
 * It creates the topic with the catalogue's configuration (compacted, 7 days), and sets that configuration on a topic
 * that status-service's binder created first.
 */
final class CancellationReader implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CancellationReader.class);
    private static final Topic<String, JobStatusChanged> TOPIC = Topics.JOBS_CANCELLATIONS;
    private static final Duration PARTITION_CHECK = Duration.ofMinutes(1);

    private final CancelledJobs cancelled;
    private final JsonMapper json;
    private final Supplier<Consumer<String, byte[]>> consumers;
    private final Supplier<Admin> admins;
    private final short replicationFactor;
    private final Duration catchUpTimeout;
    private final Counter unreadable;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean running;
    private volatile Consumer<String, byte[]> consumer;
    private boolean topicEnsured;
    private long lastWarning;
    private Thread thread;

    CancellationReader(
            CancelledJobs cancelled,
            JsonMapper json,
            Supplier<Consumer<String, byte[]>> consumers,
            Supplier<Admin> admins,
            short replicationFactor,
            Duration catchUpTimeout,
            Counter unreadable) {
        this.cancelled = cancelled;
        this.json = json;
        this.consumers = consumers;
        this.admins = admins;
        this.replicationFactor = replicationFactor;
        this.catchUpTimeout = catchUpTimeout;
        this.unreadable = unreadable;
    }

    @Override
    public synchronized void start() {
        running = true;
        long t0 = System.nanoTime();
        thread = new Thread(this::read, "cancellations");
        thread.setDaemon(true);
        thread.start();
        try {
            if (caughtUp.await(catchUpTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                log.info(
                        "{} read to its end: {} cancelled job attempt(s) known, in {} ms",
                        TOPIC.name(),
                        cancelled.size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            } else {
                log.warn(
                        "{} not read to its end within {}: the pools start anyway, and a dispatch cancelled"
                                + " before now may still run until the reader has caught up",
                        TOPIC.name(),
                        catchUpTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read() {
        while (running) {
            try (Consumer<String, byte[]> c = consumers.get()) {
                consumer = c;
                if (running) {
                    follow(c);
                }
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                warn("cannot read " + TOPIC.name() + "; trying again in a second", e);
                pause();
            } finally {
                consumer = null;
            }
        }
    }

    private void follow(Consumer<String, byte[]> c) {
        ensureTopic();
        List<TopicPartition> assigned = partitions(c);
        c.assign(assigned);
        c.seekToBeginning(assigned);
        Map<TopicPartition, Long> ends = c.endOffsets(assigned);
        long nextCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
        while (running) {
            for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                apply(record);
            }
            if (caughtUp.getCount() > 0
                    && ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                caughtUp.countDown();
            }
            if (System.nanoTime() > nextCheck) {
                nextCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
                List<TopicPartition> now = partitions(c);
                if (!now.equals(assigned)) {
                    List<TopicPartition> added = new ArrayList<>(now);
                    added.removeAll(assigned);
                    c.assign(now);
                    c.seekToBeginning(added);
                    assigned = now;
                    log.info("{}: now reading {} partitions", TOPIC.name(), now.size());
                }
            }
        }
    }

    private static List<TopicPartition> partitions(Consumer<String, byte[]> c) {
        var infos = c.partitionsFor(TOPIC.name());
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException(TOPIC.name() + " has no partitions yet");
        }
        return infos.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition))
                .toList();
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: the cancellation was withdrawn from the topic, nothing to learn
        }
        JobStatusChanged event;
        try {
            event = json.readValue(record.value(), JobStatusChanged.class);
        } catch (JacksonException | IllegalArgumentException e) {
            unreadable(
                    record,
                    "is not a job status change: "
                            + (e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage()));
            return;
        }
        if (event == null || event.jobId() == null || event.attempt() < 1 || event.status() != JobStatus.CANCELLED) {
            unreadable(record, "is not a cancellation (it needs jobId, attempt >= 1 and status CANCELLED)");
            return;
        }
        if (cancelled.add(event.jobId(), event.attempt())) {
            log.debug("job {} attempt {} cancelled", event.jobId(), event.attempt());
        }
    }

    private void unreadable(ConsumerRecord<String, byte[]> record, String why) {
        // every instance reads every record, so there is no one dead-letter owner: counted and logged loudly
        unreadable.increment();
        log.warn(
                "{}-{}@{} (key {}) {}; ignored",
                record.topic(),
                record.partition(),
                record.offset(),
                record.key(),
                why);
    }

    /**
     * Creates the topic as the catalogue describes it, or sets the catalogue's configuration on one created with the
     * broker's defaults (by a binder that published first). Failing to set it is not fatal: the reader works on any
     * configuration, only retention differs.
     */
    private void ensureTopic() {
        if (topicEnsured) {
            return;
        }
        try (Admin admin = admins.get()) {
            try {
                admin.createTopics(List.of(new NewTopic(TOPIC.name(), 3, replicationFactor).configs(TOPIC.config())))
                        .all()
                        .get(10, TimeUnit.SECONDS);
                log.info("created {} with {}", TOPIC.name(), TOPIC.config());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                setConfig(admin);
            }
            topicEnsured = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + TOPIC.name(), e);
        } catch (Exception e) {
            warn(
                    "cannot create " + TOPIC.name() + " or set its configuration " + TOPIC.config()
                            + "; reading it as it is",
                    e);
            topicEnsured = true;
        }
    }

    private void setConfig(Admin admin) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC.name());
        Config current = admin.describeConfigs(List.of(resource))
                .all()
                .get(10, TimeUnit.SECONDS)
                .get(resource);
        Collection<AlterConfigOp> changes = new ArrayList<>();
        TOPIC.config().forEach((name, value) -> {
            ConfigEntry entry = current.get(name);
            if (entry == null || !value.equals(entry.value())) {
                changes.add(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET));
            }
        });
        if (!changes.isEmpty()) {
            admin.incrementalAlterConfigs(Map.of(resource, changes)).all().get(10, TimeUnit.SECONDS);
            log.info("set {} on {}, which existed with other settings", TOPIC.config(), TOPIC.name());
        }
    }

    private void warn(String message, Exception e) {
        if (System.nanoTime() - lastWarning > TimeUnit.SECONDS.toNanos(30)) {
            lastWarning = System.nanoTime();
            log.warn(message, e);
        }
    }

    private void pause() {
        try {
            stopSignal.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        stopSignal.countDown();
        Consumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts before the pools (which take dispatches) and stops after them. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 4096;
    }
}
