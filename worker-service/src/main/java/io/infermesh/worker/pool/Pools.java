package io.infermesh.worker.pool;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.PoolStatus;
import io.infermesh.contracts.Topics;
import io.infermesh.events.JobEventSender;
import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.InferenceEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.context.SmartLifecycle;

/**
 * The pools of every model this worker serves (ADR 0013). A watcher reads each dispatch topic's backlog (end offsets
 * minus the group's committed offsets) every {@code wake-interval} and hands it to each pool, which wakes or grows as
 * its {@link PoolSizing} says, and publishes each pool's {@link PoolStatus} on {@link Topics#WORKER_POOLS}. Stopping
 * drains: workers finish the jobs they hold, commit and leave the group; then the models are released.
 */
public final class Pools implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Pools.class);

    /** The consumer group of every worker, as before pools (ADR 0005). */
    public static final String GROUP = "worker-service";

    private final Map<String, ModelPool> pools = new LinkedHashMap<>();
    private final WorkerProperties.Pool settings;
    private final Map<String, Object> adminConfig;
    private final short replicationFactor;
    private final StreamOperations bridge;
    private final JobEventSender messages;
    private final String instance = instanceId();
    private final Map<String, PoolStatus> published = new HashMap<>();
    private final Map<String, Long> publishedAt = new HashMap<>();
    private final Map<TopicPartition, Long> earliest = new HashMap<>();
    private volatile List<TopicPartition> partitions = List.of();
    private ScheduledExecutorService watcher;
    private Admin admin;
    private volatile boolean running;
    private long lastWarning;

    Pools(
            WorkerModels models,
            PoolWorker.Context context,
            InferenceEngine engine,
            String bootstrapServers,
            short replicationFactor,
            StreamOperations bridge,
            JobEventSender messages) {
        this.settings = context.settings();
        this.adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "worker-pools-" + instance.replace('/', '-'));
        this.replicationFactor = replicationFactor;
        this.bridge = bridge;
        this.messages = messages;
        for (String name : models.names()) {
            pools.put(
                    name,
                    new ModelPool(
                            models.find(name).orElseThrow(),
                            context,
                            engine,
                            settings.minWorkers(),
                            settings.maxWorkers()));
        }
    }

    /** Each pool's status now, for the actuator and tests. */
    public List<PoolStatus> status() {
        return pools.values().stream().map(p -> p.status(instance)).toList();
    }

    @Override
    public synchronized void start() {
        admin = Admin.create(adminConfig);
        pools.values().forEach(ModelPool::startMinimum);
        watcher = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "pool-watcher"));
        watcher.scheduleWithFixedDelay(this::tick, 0, settings.wakeInterval().toMillis(), TimeUnit.MILLISECONDS);
        running = true;
        log.info(
                "pools for {} (workers {}..{} each, batches up to {}, idle timeout {}) watching every {}",
                pools.keySet(),
                settings.minWorkers(),
                settings.maxWorkers(),
                settings.batchMaxSize(),
                settings.idleTimeout(),
                settings.wakeInterval());
    }

    /**
     * Creates missing dispatch topics (3 partitions, like the binder's {@code min-partition-count}) and learns their
     * partitions; until that has worked (Kafka still starting, metadata not yet propagated) the watcher tries again
     * on every tick.
     */
    private List<TopicPartition> ensureTopics() throws Exception {
        List<String> topics = pools.values().stream().map(ModelPool::topic).toList();
        List<NewTopic> wanted =
                topics.stream().map(t -> new NewTopic(t, 3, replicationFactor)).toList();
        for (var created : admin.createTopics(wanted).values().values()) {
            try {
                created.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        List<TopicPartition> all = new ArrayList<>();
        for (TopicDescription d : admin.describeTopics(topics)
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .values()) {
            d.partitions().forEach(p -> all.add(new TopicPartition(d.name(), p.partition())));
        }
        return all;
    }

    private long ticks;
    private boolean sessionAsked;

    private void tick() {
        try {
            tickOnce();
        } catch (Throwable e) {
            // a scheduled task that throws is never run again: no pool would wake any more
            log.error("pool watcher: unexpected failure; watching on", e);
        }
    }

    private void tickOnce() {
        Map<String, Long> backlog;
        try {
            if (++ticks % Math.max(1, Duration.ofMinutes(1).dividedBy(settings.wakeInterval())) == 0) {
                // about every minute: new partitions, and earliest offsets that moved (expired records)
                partitions = List.of();
                earliest.clear();
            }
            if (partitions.isEmpty()) {
                partitions = ensureTopics();
            }
            if (!sessionAsked) {
                // once Kafka answers: asked once per start; a refusal is said in one WARN line and not repeated
                sessionAsked = true;
                GroupSession.apply(admin, GROUP, settings);
            }
            backlog = backlogs();
        } catch (Exception e) {
            if (System.nanoTime() - lastWarning > TimeUnit.SECONDS.toNanos(30)) {
                lastWarning = System.nanoTime();
                log.warn(
                        "cannot read the dispatch topics' backlog (or create them); pools stay as they are until"
                                + " Kafka answers",
                        e);
            }
            return;
        }
        for (ModelPool pool : pools.values()) {
            pool.backlog(backlog.getOrDefault(pool.topic(), 0L));
        }
        publish();
    }

    /** Per dispatch topic, the records not yet committed by the group. */
    private Map<String, Long> backlogs() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        ListOffsetsResult ends = admin.listOffsets(latest);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
                ends.all().get(5, TimeUnit.SECONDS);
        List<TopicPartition> uncommitted = partitions.stream()
                .filter(tp -> committed.get(tp) == null && !earliest.containsKey(tp))
                .toList();
        if (!uncommitted.isEmpty()) {
            Map<TopicPartition, OffsetSpec> first = new HashMap<>();
            uncommitted.forEach(tp -> first.put(tp, OffsetSpec.earliest()));
            admin.listOffsets(first)
                    .all()
                    .get(5, TimeUnit.SECONDS)
                    .forEach((tp, info) -> earliest.put(tp, info.offset()));
        }
        Map<String, Long> lag = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata done = committed.get(tp);
            lag.merge(
                    tp.topic(),
                    PoolSizing.partitionBacklog(
                            end.get(tp).offset(),
                            done == null ? OptionalLong.empty() : OptionalLong.of(done.offset()),
                            earliest.getOrDefault(tp, 0L)),
                    Long::sum);
        }
        return lag;
    }

    /**
     * Publishes each pool's status when its state, workers, loaded model or whether jobs wait changed, and every
     * {@code status-interval}.
     */
    private void publish() {
        long now = System.nanoTime();
        for (ModelPool pool : pools.values()) {
            PoolStatus status = pool.status(instance);
            PoolStatus before = published.get(pool.model());
            Long at = publishedAt.get(pool.model());
            boolean changed = before == null || !sameState(before, status);
            if (changed || at == null || now - at > settings.statusInterval().toNanos()) {
                send(status);
                published.put(pool.model(), status);
                publishedAt.put(pool.model(), now);
            }
        }
    }

    private static boolean sameState(PoolStatus a, PoolStatus b) {
        // busy and backlog move with every job: they ride on the periodic publication, not on every change
        return a.state().equals(b.state())
                && a.workers() == b.workers()
                && a.loaded() == b.loaded()
                && (a.backlog() == 0) == (b.backlog() == 0);
    }

    private void send(PoolStatus status) {
        try {
            String key = status.model() + "/" + status.instance();
            bridge.send(
                    Topics.WORKER_POOLS.name(),
                    messages.message(
                            key,
                            key + "@" + status.at().toEpochMilli(),
                            CloudEventTypes.POOL_STATUS,
                            status.at(),
                            status));
        } catch (RuntimeException e) {
            log.debug("cannot publish pool status of {}", status.model(), e);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (watcher != null) {
            watcher.shutdownNow();
        }
        List<PoolWorker> stopping = new ArrayList<>();
        pools.values().forEach(p -> stopping.addAll(p.stop()));
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        for (PoolWorker worker : stopping) {
            try {
                if (!worker.awaitExit(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    log.warn(
                            "a worker did not finish its jobs within {}; they will be delivered again",
                            settings.drainTimeout());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        pools.values().forEach(p -> send(p.status(instance)));
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        log.info("pools drained at {}", Instant.now());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the Kafka binder's producers (which publish the jobs' last events) and the web server. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 2048;
    }

    private static String instanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }
}
