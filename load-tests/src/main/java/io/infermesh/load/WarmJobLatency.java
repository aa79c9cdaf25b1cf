package io.infermesh.load;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
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
 * Wall time of one job from upload to SUCCEEDED on a running mesh: uploads one image at a time (the first one warms
 * the model up and is reported separately), and observes the lifecycle topic for its terminal event.
 *
 * <p>Usage (against the local mesh's defaults): {@code ./mvnw -q -pl load-tests compile exec:exec
 * -Dinfermesh.args="--jobs=20"}. Options: {@code --jobs=N --s3=URL --kafka=HOST:PORT --bucket=NAME
 * --image=PATH --model=NAME --access-key=K --secret-key=S}.
 */
public final class WarmJobLatency {

    private WarmJobLatency() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("jobs", "20", "s3", "http://127.0.0.1:9000", "kafka",
                "localhost:9092", "bucket", "infermesh", "image", "models/digits/samples/digit-3.png", "model",
                "digits", "access-key", "infermesh", "secret-key", "infermesh-secret"));
        // -Dinfermesh.args="--jobs=50 --model=digits" arrives as one argument; split it
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            if (arg.isEmpty()) {
                continue;
            }
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        int jobs = Integer.parseInt(options.get("jobs"));
        byte[] image = Files.readAllBytes(Path.of(options.get("image")));
        JsonMapper json = JsonMapper.builder().build();
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(options.get("s3")))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(options.get("access-key"), options.get("secret-key"))))
                .build(); KafkaConsumer<String, String> lifecycle = consumer(options.get("kafka"))) {
            lifecycle.subscribe(List.of("infermesh.jobs.lifecycle"));
            while (lifecycle.assignment().isEmpty()) {
                lifecycle.poll(Duration.ofMillis(100));
            }
            lifecycle.seekToEnd(lifecycle.assignment());
            lifecycle.assignment().forEach(lifecycle::position);
            List<Long> warm = new ArrayList<>();
            for (int i = 0; i <= jobs; i++) {
                String key = "inbox/" + options.get("model") + "/loadtest/" + UUID.randomUUID() + ".png";
                long start = System.nanoTime();
                s3.putObject(b -> b.bucket(options.get("bucket")).key(key).contentType("image/png"),
                        RequestBody.fromBytes(image));
                String status = awaitTerminal(lifecycle, json, key);
                long ms = (System.nanoTime() - start) / 1_000_000;
                if (!"SUCCEEDED".equals(status)) {
                    throw new IllegalStateException("job for " + key + " ended " + status);
                }
                if (i == 0) {
                    System.out.printf("first job (may be cold): %d ms%n", ms);
                } else {
                    warm.add(ms);
                    System.out.printf("\rwarm jobs: %d/%d", i, jobs);
                }
            }
            warm.sort(Long::compare);
            System.out.printf("%nwarm upload -> SUCCEEDED over %d jobs: min %d ms, p50 %d ms, p90 %d ms, max %d ms%n",
                    warm.size(), warm.getFirst(), warm.get(warm.size() / 2), warm.get((int) (warm.size() * 0.9)),
                    warm.getLast());
        }
    }

    /** The terminal status of the job whose PENDING event names {@code key} (both are on the job's partition). */
    private static String awaitTerminal(KafkaConsumer<String, String> lifecycle, JsonMapper json, String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String jobId = null;
        while (System.nanoTime() < deadline) {
            for (var record : lifecycle.poll(Duration.ofMillis(5))) {
                JsonNode event = json.readTree(record.value());
                String status = event.path("status").asString();
                if (jobId == null && "PENDING".equals(status) && key.equals(event.path("input").path("key").asString())) {
                    jobId = event.path("jobId").asString();
                }
                if (jobId != null && jobId.equals(event.path("jobId").asString())
                        && ("SUCCEEDED".equals(status) || "FAILED".equals(status))) {
                    return status;
                }
            }
        }
        throw new IllegalStateException("no terminal status for " + key + " within 60 s");
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "load-tests-" + UUID.randomUUID());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        return new KafkaConsumer<>(config);
    }
}
