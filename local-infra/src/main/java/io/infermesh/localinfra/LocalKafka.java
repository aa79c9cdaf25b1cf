package io.infermesh.localinfra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.FaultHandlerFactory;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.SharedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.raft.QuorumConfig;
import org.apache.kafka.server.ServerSocketFactory;
import org.apache.kafka.server.fault.FaultHandler;
import org.apache.kafka.server.fault.LoggingFaultHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * A real, single-node Apache Kafka broker in KRaft combined mode (broker + controller), running inside this JVM.
 *
 * <p>The broker is built from {@code org.apache.kafka:kafka_2.13} at exactly the version of the kafka-clients on the
 * classpath, so clients and broker in the same JVM never disagree. It is wired the way {@code kafka.Kafka} wires a
 * {@code KafkaRaftServer}, with two differences that matter in-process: listener sockets are bound before the
 * configuration is built (so port 0 is race-free), and a fault never terminates the JVM (it is logged instead).
 *
 * <p>Broker defaults: {@code auto.create.topics.enable=true}, {@code num.partitions=3}, every internal topic with
 * replication factor 1 and min ISR 1, {@code group.initial.rebalance.delay.ms=0}, and KIP-848 groups allowed a session
 * timeout down to 2 s ({@code group.consumer.min.session.timeout.ms}; Kafka's floor is 45 s).
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);

    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";

    private final BrokerServer broker;
    private final ControllerServer controller;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final int port;
    private final String bootstrapServers;
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
    private final Object adminLock = new Object();
    private Admin admin;
    private volatile boolean closed;

    private LocalKafka(
            BrokerServer broker, ControllerServer controller, Path dataDir, boolean deleteDataDirOnClose, int port) {
        this.broker = broker;
        this.controller = controller;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.port = port;
        this.bootstrapServers = HOST + ":" + port;
    }

    /** Starts a broker on {@code port} (0 = a random free port) with its data in a temporary directory, deleted on close. */
    public static LocalKafka start(int port) {
        return start(port, null);
    }

    /**
     * Starts a broker on {@code port} (0 = a random free port). With a {@code dataDir} the log and metadata survive a
     * restart (the directory is formatted once); with {@code null} a temporary directory is used and deleted on close.
     */
    public static LocalKafka start(int port, Path dataDir) {
        QuietLogging.apply();
        boolean temp = dataDir == null;
        Path dir;
        try {
            dir = temp ? Files.createTempDirectory("infermesh-kafka-") : Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new LocalInfraException("Cannot create Kafka data directory " + dataDir, e);
        }
        ServerSocketChannel brokerSocket = null;
        ServerSocketChannel controllerSocket = null;
        SharedServer shared = null;
        ControllerServer controller = null;
        BrokerServer broker = null;
        long startedAt = System.nanoTime();
        try {
            brokerSocket = bind(BROKER_LISTENER, port);
            controllerSocket = bind(CONTROLLER_LISTENER, 0);
            int brokerPort = localPort(brokerSocket);
            int controllerPort = localPort(controllerSocket);

            String logDir = dir.resolve("kraft-combined-logs").toAbsolutePath().toString();
            KafkaConfig config = new KafkaConfig(brokerProperties(brokerPort, controllerPort, logDir), false);
            format(config, logDir);

            Tuple2<MetaPropertiesEnsemble, BootstrapMetadata> initialized =
                    KafkaRaftServer.initializeLogDirs(config, log, "[LocalKafka] ");
            Map<String, ServerSocketChannel> prebound = new ConcurrentHashMap<>();
            prebound.put(BROKER_LISTENER, brokerSocket);
            prebound.put(CONTROLLER_LISTENER, controllerSocket);
            shared = new SharedServer(
                    config,
                    initialized._1(),
                    Time.SYSTEM,
                    new Metrics(),
                    CompletableFuture.completedFuture(QuorumConfig.parseVoterConnections(
                            config.quorumConfig().voters())),
                    QuorumConfig.parseBootstrapServers(config.quorumConfig().bootstrapServers()),
                    new NonTerminatingFaultHandlerFactory(),
                    new PreboundSocketFactory(prebound));
            controller = new ControllerServer(shared, KafkaRaftServer.configSchema(), initialized._2());
            broker = new BrokerServer(shared);
            // Same order as KafkaRaftServer: the controller first, so the broker can register with it.
            controller.startup();
            broker.startup();
            LocalKafka kafka = new LocalKafka(broker, controller, dir, temp, brokerPort);
            log.info(
                    "Kafka (KRaft, node {}) listening on {} (controller port {}), data in {}, started in {} ms",
                    NODE_ID,
                    kafka.bootstrapServers,
                    controllerPort,
                    dir,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
            return kafka;
        } catch (Throwable e) {
            if (broker != null) {
                safely(broker::shutdown);
            }
            if (controller != null) {
                safely(controller::shutdown);
            } else if (shared != null) {
                SharedServer s = shared;
                safely(s::stopForController);
            }
            closeQuietly(brokerSocket);
            closeQuietly(controllerSocket);
            if (temp) {
                Files2.deleteRecursively(dir);
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new LocalInfraException("Could not start Kafka on port " + port + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> brokerProperties(int brokerPort, int controllerPort, String logDir) {
        Map<String, Object> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        props.put(
                "listeners",
                BROKER_LISTENER + "://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
                        + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        props.put(
                "listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", logDir);
        props.put("metadata.log.dir", logDir);

        props.put("auto.create.topics.enable", "true");
        props.put("num.partitions", "3");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("share.coordinator.state.topic.num.partitions", "5");
        props.put("group.initial.rebalance.delay.ms", "0");
        // KIP-848 groups may ask for a short session (worker-service asks for 6 s, so that a killed worker's
        // partitions move within seconds); Kafka's default floor is 45 s
        props.put("group.consumer.min.session.timeout.ms", "2000");
        props.put("group.consumer.min.heartbeat.interval.ms", "500");
        props.put("delete.topic.enable", "true");

        // Small-machine tuning: fewer threads and a small log-cleaner buffer (the default is 128 MiB).
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("background.threads", "4");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("log.cleaner.threads", "1");
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        props.put(
                "server.max.startup.time.ms",
                Long.toString(Duration.ofMinutes(2).toMillis()));
        return props;
    }

    /** Formats the log directory once (like {@code kafka-storage.sh format}); a formatted directory is reused. */
    private static void format(KafkaConfig config, String logDir) throws Exception {
        if (Files.exists(Path.of(logDir, "meta.properties"))) {
            return;
        }
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setIgnoreFormatted(true)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(logDir)
                .setHasDynamicQuorum(false);
        formatter.addDirectory(logDir);
        formatter.run();
    }

    private static ServerSocketChannel bind(String listener, int port) throws IOException {
        try {
            return ServerSocketFactory.INSTANCE.openServerSocket(listener, new InetSocketAddress(HOST, port), -1, -1);
        } catch (RuntimeException e) {
            throw new IOException(
                    "Cannot bind " + listener + " listener to " + HOST + ":" + port
                            + " (is something else using the port?)",
                    e);
        }
    }

    private static int localPort(ServerSocketChannel channel) throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The port the broker (PLAINTEXT listener) is bound to. */
    public int port() {
        return port;
    }

    /** The directory holding the broker's log and metadata. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Creates the named topics with {@code partitions} partitions and replication factor 1, unless they already exist
     * (idempotent; an existing topic keeps its partition count). Returns when the topics are created.
     */
    public void createTopics(int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        List<NewTopic> toCreate = new ArrayList<>();
        for (String name : names) {
            Objects.requireNonNull(name, "topic name");
            if (!knownTopics.contains(name)) {
                toCreate.add(new NewTopic(name, partitions, (short) 1));
            }
        }
        if (toCreate.isEmpty()) {
            return;
        }
        Admin client = admin();
        Map<String, KafkaFuture<Void>> results = client.createTopics(toCreate).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                result.getValue().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new LocalInfraException("Cannot create topic " + result.getKey(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalInfraException("Interrupted while creating topic " + result.getKey(), e);
            } catch (TimeoutException e) {
                throw new LocalInfraException("Timed out creating topic " + result.getKey(), e);
            }
            knownTopics.add(result.getKey());
        }
    }

    private Admin admin() {
        synchronized (adminLock) {
            if (closed) {
                throw new IllegalStateException("LocalKafka is closed");
            }
            if (admin == null) {
                Properties props = new Properties();
                props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
                props.put(AdminClientConfig.CLIENT_ID_CONFIG, "infermesh-local-kafka-admin");
                admin = Admin.create(props);
            }
            return admin;
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Stops the broker and the controller; deletes the data directory if it was a temporary one. Idempotent. */
    @Override
    public void close() {
        synchronized (adminLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (admin != null) {
                Admin a = admin;
                safely(() -> a.close(Duration.ofSeconds(5)));
                admin = null;
            }
        }
        long t = System.nanoTime();
        // Same order as KafkaRaftServer: broker first (controlled shutdown needs the controller), then controller.
        safely(broker::shutdown);
        safely(controller::shutdown);
        safely(broker::awaitShutdown);
        safely(controller::awaitShutdown);
        if (deleteDataDirOnClose) {
            Files2.deleteRecursively(dataDir);
        }
        log.info(
                "Kafka on {} stopped in {} ms", bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
    }

    @Override
    public String toString() {
        return "LocalKafka[" + bootstrapServers + "]";
    }

    private static void safely(ThrowingRunnable action) {
        try {
            action.run();
        } catch (Throwable e) {
            log.warn("Ignoring failure while stopping Kafka: {}", e.toString());
        }
    }

    private static void closeQuietly(ServerSocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Hands Kafka's socket server the sockets bound before the configuration was written. */
    private static final class PreboundSocketFactory implements ServerSocketFactory {
        private final Map<String, ServerSocketChannel> prebound;

        PreboundSocketFactory(Map<String, ServerSocketChannel> prebound) {
            this.prebound = prebound;
        }

        @Override
        public ServerSocketChannel openServerSocket(
                String listenerName, InetSocketAddress socketAddress, int listenBacklogSize, int recvBufferSize)
                throws IOException {
            ServerSocketChannel channel = prebound.remove(listenerName);
            if (channel != null && channel.isOpen()) {
                return channel;
            }
            return ServerSocketFactory.INSTANCE.openServerSocket(
                    listenerName, socketAddress, listenBacklogSize, recvBufferSize);
        }
    }

    /**
     * Kafka's standard factory halts the process on a fatal fault; in a shared JVM (tests, the local launcher) a
     * broken broker must not take the JVM down, so every fault is logged and its action run.
     */
    private static final class NonTerminatingFaultHandlerFactory implements FaultHandlerFactory {
        @Override
        public FaultHandler build(String name, boolean fatal, Runnable action) {
            return new LoggingFaultHandler(fatal ? name + " (fatal)" : name, action);
        }
    }
}
