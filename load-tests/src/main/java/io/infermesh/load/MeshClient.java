package io.infermesh.load;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A running mesh as the harness sees it: uploads through the S3 API, and every job's lifecycle as observed on
 * {@code infermesh.jobs.lifecycle} (read from the moment the client starts, on a background thread).
 */
final class MeshClient implements AutoCloseable {

    enum Status {
        PENDING,
        RUNNABLE,
        STARTING,
        RUNNING,
        SUCCEEDED,
        FAILED
    }

    /** The statuses a job reached, with the times the mesh recorded in its events. */
    record Trace(String jobId, String inputKey, Map<Status, Instant> reached, String failure, JsonNode terminalEvent) {
        boolean terminal() {
            return reached.containsKey(Status.SUCCEEDED) || reached.containsKey(Status.FAILED);
        }
    }

    private final S3Client s3;
    private final String bucket;
    private final KafkaConsumer<String, String> lifecycle;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, Trace> traces = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Trace>> endings = new ConcurrentHashMap<>();
    private final Thread watcher;
    private volatile boolean running = true;

    MeshClient(Options options) {
        this.bucket = options.get("bucket");
        this.s3 = S3Client.builder()
                .endpointOverride(URI.create(options.get("s3")))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(options.get("access-key"), options.get("secret-key"))))
                .build();
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.get("kafka"));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "load-tests-" + UUID.randomUUID());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        this.lifecycle = new KafkaConsumer<>(config);
        lifecycle.subscribe(List.of("infermesh.jobs.lifecycle"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (lifecycle.assignment().isEmpty()) {
            if (System.nanoTime() > deadline) {
                lifecycle.close();
                throw new IllegalStateException("no Kafka answered at " + options.get("kafka")
                        + " within 30 s: is the mesh running? (start it with ./mvnw -q -DskipTests -pl local-mesh"
                        + " -am install exec:exec, or pass --kafka=HOST:PORT)");
            }
            lifecycle.poll(Duration.ofMillis(100));
        }
        lifecycle.seekToEnd(lifecycle.assignment());
        lifecycle.assignment().forEach(lifecycle::position);
        this.watcher =
                Thread.ofPlatform().name("lifecycle-watcher").daemon(true).start(this::watch);
    }

    private void watch() {
        while (running) {
            for (var record : lifecycle.poll(Duration.ofMillis(5))) {
                JsonNode event = json.readTree(record.value());
                String jobId = event.path("jobId").asString();
                Status status = Status.valueOf(event.path("status").asString());
                String key = event.path("input").path("key").asString("");
                Trace updated = traces.compute(jobId, (id, trace) -> {
                    Map<Status, Instant> reached =
                            trace == null ? new EnumMap<>(Status.class) : new EnumMap<>(trace.reached());
                    reached.putIfAbsent(
                            status, Instant.parse(event.path("occurredAt").asString()));
                    String failure = status == Status.FAILED
                            ? event.path("reason").asString() + ": "
                                    + event.path("message").asString()
                            : trace == null ? null : trace.failure();
                    String inputKey = !key.isEmpty() ? key : trace == null ? null : trace.inputKey();
                    JsonNode terminal = status == Status.SUCCEEDED || status == Status.FAILED
                            ? event
                            : trace == null ? null : trace.terminalEvent();
                    return new Trace(id, inputKey, reached, failure, terminal);
                });
                if (updated.terminal() && updated.inputKey() != null) {
                    ending(updated.inputKey()).complete(updated);
                }
            }
        }
        lifecycle.close();
    }

    void upload(String key, byte[] bytes, String contentType) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    /** Waits for the job of an uploaded key to end, and returns its trace. */
    Trace awaitTerminal(String key, Duration timeout) {
        try {
            return ending(key).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no terminal status for s3://" + bucket + "/" + key + " within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private CompletableFuture<Trace> ending(String key) {
        return endings.computeIfAbsent(key, k -> new CompletableFuture<>());
    }

    @Override
    public void close() {
        running = false;
        try {
            watcher.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        s3.close();
    }
}
