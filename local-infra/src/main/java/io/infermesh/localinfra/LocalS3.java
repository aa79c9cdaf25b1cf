package io.infermesh.localinfra;

import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.S3Exceptions;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.shaded.org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * A real S3 endpoint: S3Proxy over a filesystem blob store, with AWS signature V2/V4 authentication, path-style
 * addressing, at {@code http://127.0.0.1:<port>}.
 *
 * <p>Every completed PutObject (and browser POST upload), CompleteMultipartUpload and CopyObject is published to the
 * Kafka topic {@value #EVENTS_TOPIC} in the format MinIO's Kafka notification target uses (see the module README);
 * the S3 response is sent only after Kafka acknowledged the notification ({@code acks=all}, idempotent producer).
 * Failed writes and S3Proxy's multipart bookkeeping objects publish nothing. Deletions are not published.
 *
 * <p>CORS is open to any origin for GET, PUT and HEAD ({@link #CORS}): the web gateway's pages (another port, so
 * another origin) PUT uploads to and read results from presigned URLs here. The signatures are the authorization; an
 * origin gains nothing without one. A dev endpoint only: production buckets list their gateway's origin.
 */
public final class LocalS3 implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalS3.class);

    /** The topic notifications are published to. */
    public static final String EVENTS_TOPIC = "infermesh.storage.events";

    public static final String DEFAULT_ACCESS_KEY = "infermesh";
    public static final String DEFAULT_SECRET_KEY = "infermesh-secret";
    public static final String DEFAULT_REGION = "us-east-1";
    private static final String HOST = "127.0.0.1";
    private static final int EVENTS_TOPIC_PARTITIONS = 3;
    /**
     * Any origin, the methods presigned URLs are used with, any request header (Content-Type, the signed
     * {@code x-amz-meta-*}, {@code x-amz-*}), the headers a browser script may read back; no cookies.
     */
    static final CrossOriginResourceSharing CORS = new CrossOriginResourceSharing(
            List.of("*"),
            List.of("GET", "PUT", "HEAD"),
            List.of("*"),
            List.of("ETag", "Content-Length", "Content-Type", "x-amz-request-id", "x-amz-version-id"),
            "");

    private final S3Proxy proxy;
    private final BlobStore blobStore;
    private final KafkaProducer<String, String> producer;
    private final URI endpoint;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private volatile boolean closed;

    private LocalS3(
            S3Proxy proxy,
            BlobStore blobStore,
            KafkaProducer<String, String> producer,
            URI endpoint,
            Path dataDir,
            boolean deleteDataDirOnClose) {
        this.proxy = proxy;
        this.blobStore = blobStore;
        this.producer = producer;
        this.endpoint = endpoint;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
    }

    /**
     * Starts S3 on {@code port} (0 = a random free port), storing buckets as directories under {@code dataDir}
     * ({@code null} = a temporary directory, deleted on close), publishing notifications to the Kafka cluster at
     * {@code bootstrapServers}. The topic {@value #EVENTS_TOPIC} is created (3 partitions) if missing.
     */
    public static LocalS3 start(int port, Path dataDir, String bootstrapServers) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        QuietLogging.apply();
        long t = System.nanoTime();
        boolean temp = dataDir == null;
        Path dir;
        try {
            dir = temp ? Files.createTempDirectory("infermesh-s3-") : Files.createDirectories(dataDir);
            dir = dir.toAbsolutePath();
        } catch (IOException e) {
            throw new LocalInfraException("Cannot create S3 data directory " + dataDir, e);
        }
        KafkaProducer<String, String> producer = null;
        S3Proxy proxy = null;
        try {
            ensureEventsTopic(bootstrapServers);
            producer = createProducer(bootstrapServers);
            BlobStore filesystem = new FilesystemNio2BlobStore(dir.toString());
            EventPublisher publisher = new EventPublisher(producer);
            NotifyingBlobStore notifying = new NotifyingBlobStore(filesystem, publisher);
            proxy = S3Proxy.builder()
                    .blobStore(notifying)
                    .endpoint(URI.create("http://" + HOST + ":" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
                    .ignoreUnknownHeaders(true)
                    .corsRules(CORS)
                    .jettyMaxThreads(64)
                    .stopTimeout(2_000)
                    .build();
            installRequestContextFilter(proxy);
            proxy.start();
            URI endpoint = URI.create("http://" + HOST + ":" + proxy.getPort());
            publisher.origin(endpoint, dir);
            LocalS3 s3 = new LocalS3(proxy, filesystem, producer, endpoint, dir, temp);
            log.info(
                    "S3 (S3Proxy, filesystem) listening on {}, data in {}, notifications to {} at {}, started in {} ms",
                    endpoint,
                    dir,
                    EVENTS_TOPIC,
                    bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
            return s3;
        } catch (Exception e) {
            if (proxy != null) {
                try {
                    proxy.stop();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
            if (temp) {
                Files2.deleteRecursively(dir);
            }
            if (e instanceof LocalInfraException lie) {
                throw lie;
            }
            throw new LocalInfraException("Could not start S3 on port " + port + ": " + e.getMessage(), e);
        }
    }

    private static void ensureEventsTopic(String bootstrapServers) {
        try (var admin = Admin.create(adminProps(bootstrapServers))) {
            var result = admin.createTopics(List.of(new NewTopic(EVENTS_TOPIC, EVENTS_TOPIC_PARTITIONS, (short) 1)));
            try {
                result.all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new LocalInfraException(
                            "Cannot create topic " + EVENTS_TOPIC + " at " + bootstrapServers, e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalInfraException("Interrupted while creating topic " + EVENTS_TOPIC, e);
            } catch (TimeoutException e) {
                throw new LocalInfraException(
                        "Timed out creating topic " + EVENTS_TOPIC + " at " + bootstrapServers, e);
            }
        }
    }

    private static Properties adminProps(String bootstrapServers) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("client.id", "infermesh-local-s3-admin");
        return props;
    }

    private static KafkaProducer<String, String> createProducer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "infermesh-local-s3-notifications");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    /**
     * Puts a servlet filter in front of S3Proxy's servlet so notifications can name the request's User-Agent, client
     * address and request id. S3Proxy does not expose its Jetty server, hence the reflection; without the filter the
     * notifications carry defaults for those fields.
     */
    private static void installRequestContextFilter(S3Proxy proxy) {
        try {
            Field field = S3Proxy.class.getDeclaredField("server");
            field.setAccessible(true);
            Server server = (Server) field.get(proxy);
            ServletContextHandler context = server.getDescendant(ServletContextHandler.class);
            if (context == null) {
                throw new IllegalStateException("no ServletContextHandler in S3Proxy's server");
            }
            context.addFilter(S3RequestContext.filter(), "/*", EnumSet.of(DispatcherType.REQUEST));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.warn("S3 notifications will carry default request fields (userAgent, request id): {}", e.toString());
        }
    }

    /** The endpoint, {@code http://127.0.0.1:<port>}; use path-style addressing. */
    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return endpoint.getPort();
    }

    public String accessKey() {
        return DEFAULT_ACCESS_KEY;
    }

    public String secretKey() {
        return DEFAULT_SECRET_KEY;
    }

    /** The region clients should sign for, {@value #DEFAULT_REGION} (S3Proxy accepts any). */
    public String region() {
        return DEFAULT_REGION;
    }

    /** The topic notifications are published to, {@value #EVENTS_TOPIC}. */
    public String eventsTopic() {
        return EVENTS_TOPIC;
    }

    /** The directory under which each bucket is a directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** Creates the bucket unless it exists (idempotent). Publishes nothing. */
    public void createBucket(String name) {
        Objects.requireNonNull(name, "name");
        if (closed) {
            throw new IllegalStateException("LocalS3 is closed");
        }
        if (blobStore.containerExists(name)) {
            return;
        }
        try {
            blobStore.createContainer(CreateBucketRequest.builder().bucket(name).build());
        } catch (BucketAlreadyOwnedByYouException e) {
            // created concurrently: fine
        }
    }

    /**
     * A new AWS SDK v2 client for this endpoint (path-style, this endpoint's keys and region), as a user's
     * program would configure it. The caller closes it.
     */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.of(region()))
                .forcePathStyle(true)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey(), secretKey())))
                .build();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Stops the endpoint, then the notification producer; deletes the data directory if it was temporary. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            proxy.stop();
        } catch (Exception e) {
            log.warn("Failed to stop S3Proxy cleanly: {}", e.toString());
        }
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            log.warn("Failed to close the notification producer cleanly: {}", e.toString());
        }
        if (deleteDataDirOnClose) {
            Files2.deleteRecursively(dataDir);
        }
        log.info("S3 on {} stopped", endpoint);
    }

    @Override
    public String toString() {
        return "LocalS3[" + endpoint + "]";
    }

    /** Publishes one MinIO-format notification per created object and waits for Kafka's acknowledgement. */
    static final class EventPublisher implements NotifyingBlobStore.ObjectCreatedListener {
        private static final long PUBLISH_TIMEOUT_SECONDS = 30;

        private final KafkaProducer<String, String> producer;
        private final Object sequenceLock = new Object();
        private long lastNanos;
        private volatile String originEndpoint = "";
        private volatile String deploymentId = UUID.randomUUID().toString();
        private volatile String amzId2 = "";

        EventPublisher(KafkaProducer<String, String> producer) {
            this.producer = producer;
        }

        void origin(URI endpoint, Path dataDir) {
            this.originEndpoint = endpoint.toString();
            this.deploymentId = UUID.nameUUIDFromBytes(dataDir.toString().getBytes(StandardCharsets.UTF_8))
                    .toString();
            this.amzId2 = sha256Hex(endpoint.toString());
        }

        @Override
        public void objectCreated(String eventName, String bucket, String key, MinioEventFormat.ObjectFacts facts) {
            S3RequestContext ctx = S3RequestContext.current();
            String requestId = ctx != null && ctx.requestId != null
                    ? ctx.requestId
                    : String.format("%016X", ThreadLocalRandom.current().nextLong());
            String sourceHost = ctx != null && ctx.remoteAddress != null ? ctx.remoteAddress : HOST;
            String userAgent = ctx != null && ctx.userAgent != null ? ctx.userAgent : "";
            MinioEventFormat.Origin origin = new MinioEventFormat.Origin(
                    DEFAULT_ACCESS_KEY, sourceHost, userAgent, requestId, amzId2, deploymentId, originEndpoint);
            String recordKey = bucket + "/" + key;
            Future<RecordMetadata> sent;
            // Sequencer and send order agree: both are taken under one lock, and the idempotent producer keeps
            // per-partition order, so a consumer sees sequencers increase along each partition.
            synchronized (sequenceLock) {
                Instant now = Instant.now();
                long nanos = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
                lastNanos = Math.max(nanos, lastNanos + 1);
                Instant eventTime = Instant.ofEpochSecond(0, lastNanos);
                String json = MinioEventFormat.render(
                        eventName, bucket, key, facts, origin, eventTime, MinioEventFormat.sequencer(lastNanos));
                sent = producer.send(new ProducerRecord<>(EVENTS_TOPIC, recordKey, json));
            }
            try {
                RecordMetadata metadata = sent.get(PUBLISH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                log.debug(
                        "Published {} for {} to {}-{}@{}",
                        eventName,
                        recordKey,
                        metadata.topic(),
                        metadata.partition(),
                        metadata.offset());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw S3Exceptions.fromStatusCode(500, e);
            } catch (ExecutionException | TimeoutException e) {
                log.error(
                        "Could not publish {} for {} to Kafka topic {}; failing the S3 request (the object is "
                                + "stored)",
                        eventName,
                        recordKey,
                        EVENTS_TOPIC,
                        e);
                throw S3Exceptions.fromStatusCode(500, e);
            }
        }

        private static String sha256Hex(String s) {
            try {
                return HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
