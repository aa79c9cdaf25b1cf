package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.localinfra.StorageEventsConsumer.Event;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

class LocalInfraTests {

    @Test
    void settings() {
        LocalInfra.Settings defaults = LocalInfra.Settings.defaults();
        assertThat(defaults.kafkaPort()).isEqualTo(9092);
        assertThat(defaults.s3Port()).isEqualTo(9000);
        assertThat(defaults.postgresPort()).isEqualTo(15432);
        assertThat(defaults.baseDir()).isEqualTo(Path.of(".mesh", "data"));
        LocalInfra.Settings random = LocalInfra.Settings.randomPorts();
        assertThat(random).isEqualTo(new LocalInfra.Settings(0, 0, 0, null));
        assertThatThrownBy(() -> new LocalInfra.Settings(-1, 0, 0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void componentsStartLazilyS3BringsKafkaAndCloseStopsEverythingThatWasStarted(@TempDir Path base) throws Exception {
        LocalInfra.Settings settings = LocalInfra.Settings.randomPorts().withBaseDir(base);
        int kafkaPort;
        int s3Port;
        try (LocalInfra infra = LocalInfra.create(settings)) {
            assertThat(infra.isKafkaStarted()).isFalse();
            assertThat(infra.isS3Started()).isFalse();
            assertThat(infra.isPostgresStarted()).isFalse();

            LocalS3 s3 = infra.s3();
            assertThat(infra.isKafkaStarted()).isTrue();
            assertThat(infra.isPostgresStarted()).isFalse();
            assertThat(infra.s3()).isSameAs(s3);
            LocalKafka kafka = infra.kafka();
            kafkaPort = kafka.port();
            s3Port = s3.port();
            assertThat(s3.dataDir()).isEqualTo(base.resolve("s3").toAbsolutePath());
            assertThat(infra.kafka().dataDir()).isEqualTo(base.resolve("kafka"));

            s3.createBucket("kept");
            try (S3Client client = client(s3)) {
                client.putObject(b -> b.bucket("kept").key("model.onnx"), RequestBody.fromString("weights"));
            }
            infra.close();
            assertThat(s3.isClosed()).isTrue();
            assertThat(kafka.isClosed()).isTrue();
            assertThatThrownBy(infra::kafka).isInstanceOf(IllegalStateException.class);
            assertThat(listening(s3Port)).isFalse();
            assertThat(listening(kafkaPort)).isFalse();
            assertThatThrownBy(infra::postgres).isInstanceOf(IllegalStateException.class);
            infra.close(); // idempotent
        }

        // Same base directory: the object and its notification survived the restart.
        try (LocalInfra infra = LocalInfra.create(settings)) {
            LocalS3 s3 = infra.s3();
            try (S3Client client = client(s3)) {
                assertThat(client.getObjectAsBytes(b -> b.bucket("kept").key("model.onnx"))
                                .asUtf8String())
                        .isEqualTo("weights");
            }
            try (StorageEventsConsumer events =
                    new StorageEventsConsumer(infra.kafka().bootstrapServers())) {
                List<Event> kept = events.forBucket("kept");
                assertThat(kept).extracting(Event::recordKey).containsExactly("kept/model.onnx");
            }
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static S3Client client(LocalS3 s3) {
        return S3Client.builder()
                .endpointOverride(s3.endpoint())
                .region(Region.of(s3.region()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .forcePathStyle(true)
                .build();
    }
}
