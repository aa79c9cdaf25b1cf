package io.infermesh.faults;

import io.infermesh.contracts.Topics;
import io.infermesh.mesh.ProcessMesh;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One fault, injected once while the workload runs. {@link #inject} returns when the fault is over (the process
 * restarted, the component back), with a note on what it saw meanwhile (e.g. what the status API answered while the
 * database was down).
 */
interface Fault {

    /** What the fault can touch: the mesh and the topics seen so far. */
    record Target(ProcessMesh mesh, TopicRecorder recorder, String statusUrl) {}

    String name();

    /** One sentence for the table. */
    String description();

    /** Injects the fault and heals it; returns a note for the report (or an empty string). */
    String inject(Target target);

    /** {@code kill -9} of one instance, then the same instance started again (ports and properties unchanged). */
    static Fault kill(String name, String instance, String what) {
        return new Fault() {
            public String name() {
                return name;
            }

            public String description() {
                return "kill -9 of " + instance + " (" + what + "), restarted at once";
            }

            public String inject(Target target) {
                long pid = target.mesh().pid(instance);
                target.mesh().kill(instance);
                long killed = System.nanoTime();
                target.mesh().restart(instance);
                return "killed pid " + pid + "; healthy again after "
                        + Duration.ofNanos(System.nanoTime() - killed).toMillis() / 1000.0 + " s";
            }
        };
    }

    /**
     * {@code kill -9} of a worker while it runs a job: its {@code /actuator/pools} (operator token) is read until a
     * pool counts a busy worker (at most 30 s), then the process is killed and started again.
     */
    static Fault killWorkerMidInference(String instance) {
        Fault kill = kill("kill-worker", instance, "mid-inference");
        return new Fault() {
            public String name() {
                return kill.name();
            }

            public String description() {
                return kill.description();
            }

            public String inject(Target target) {
                HttpClient http = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(2))
                        .build();
                String token = target.mesh().identity().operatorToken();
                URI pools = URI.create(target.mesh().managementUrl(instance) + "/actuator/pools");
                JsonMapper json = JsonMapper.builder().build();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                int busy = 0;
                while (busy == 0 && System.nanoTime() < deadline) {
                    try {
                        String body = http.send(
                                        HttpRequest.newBuilder(pools)
                                                .header("Authorization", "Bearer " + token)
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                        for (JsonNode pool : json.readTree(body)) {
                            busy += pool.path("busy").asInt();
                        }
                        if (busy == 0) {
                            Workload.pause(Duration.ofMillis(20));
                        }
                    } catch (IOException | RuntimeException e) {
                        // not answering: try again
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
                String note = busy > 0 ? busy + " job(s) running in it when killed" : "not seen busy within 30 s";
                return note + "; " + kill.inject(target);
            }
        };
    }

    /** The broker stopped (every client sees refused connections) and started again on the same port and data. */
    static Fault kafka(Duration down) {
        return new Fault() {
            public String name() {
                return "kafka-restart";
            }

            public String description() {
                return "Kafka broker stopped for " + down.toSeconds() + " s, restarted on the same data";
            }

            public String inject(Target target) {
                target.mesh().stopKafka();
                Workload.pause(down);
                target.mesh().startKafka();
                return "";
            }
        };
    }

    /** PostgreSQL stopped; meanwhile the status API is asked every 2 s (it must answer, 503, not hang). */
    static Fault postgres(Duration down) {
        return new Fault() {
            public String name() {
                return "postgres-" + down.toSeconds() + "s";
            }

            public String description() {
                return "PostgreSQL stopped for " + down.toSeconds() + " s";
            }

            public String inject(Target target) {
                target.mesh().stopPostgres();
                Map<String, Integer> answers = probe(target, down);
                target.mesh().startPostgres();
                return "status API while down: " + answers;
            }
        };
    }

    /** The S3 endpoint stopped (uploads and the workers' reads and writes refused), then started on the same data. */
    static Fault s3(Duration down) {
        return new Fault() {
            public String name() {
                return "s3-" + down.toSeconds() + "s";
            }

            public String description() {
                return "S3 endpoint stopped for " + down.toSeconds() + " s (uploads retried by the client)";
            }

            public String inject(Target target) {
                target.mesh().stopS3();
                Workload.pause(down);
                target.mesh().startS3();
                return "";
            }
        };
    }

    /** Every notification of this scenario seen so far published again, {@code copies} more times, at once. */
    static Fault duplicateBurst(int copies) {
        return new Fault() {
            public String name() {
                return "duplicate-burst";
            }

            public String description() {
                return "every notification so far published " + copies + " more times at once";
            }

            public String inject(Target target) {
                List<TopicRecorder.Notification> seen = target.recorder().notifications();
                Properties config = new Properties();
                config.put(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.mesh().kafkaBootstrapServers());
                config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
                config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
                try (var producer = new KafkaProducer<byte[], byte[]>(config)) {
                    for (int copy = 0; copy < copies; copy++) {
                        for (TopicRecorder.Notification n : seen) {
                            producer.send(new ProducerRecord<>(
                                    Topics.STORAGE_EVENTS.name(), null, n.key(), n.value(), n.headers()));
                        }
                    }
                    producer.flush();
                }
                return seen.size() * copies + " duplicate notifications of " + seen.size() + " objects";
            }
        };
    }

    /** What status-service's {@code GET /api/jobs} answers, every 2 s for {@code how long} (5 s timeout each). */
    private static Map<String, Integer> probe(Target target, Duration howLong) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String token = target.mesh().identity().operatorToken();
        Map<String, Integer> answers = new TreeMap<>();
        long end = System.nanoTime() + howLong.toNanos();
        while (System.nanoTime() < end) {
            String answer;
            try {
                answer = String.valueOf(http.send(
                                HttpRequest.newBuilder(URI.create(target.statusUrl() + "/api/jobs?limit=1"))
                                        .timeout(Duration.ofSeconds(5))
                                        .header("Authorization", "Bearer " + token)
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode());
            } catch (HttpTimeoutException e) {
                answer = "no answer in 5 s";
            } catch (Exception e) {
                answer = e.getClass().getSimpleName();
            }
            answers.merge(answer, 1, Integer::sum);
            Workload.pause(Duration.ofSeconds(2));
        }
        return answers;
    }
}
