package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.localinfra.StorageEventsConsumer.Event;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

@WithLocalInfra
class LocalS3Tests {

    private static LocalS3 s3;
    private static S3Client client;
    private static StorageEventsConsumer events;

    @BeforeAll
    static void start() {
        LocalInfra infra = LocalInfraExtension.infra();
        s3 = infra.s3();
        client = S3Client.builder()
                .endpointOverride(s3.endpoint())
                .region(Region.of(s3.region()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .forcePathStyle(true)
                .build();
        events = new StorageEventsConsumer(infra.kafka().bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (events != null) {
            events.close();
        }
    }

    private static String newBucket() {
        String bucket = "b-" + UUID.randomUUID().toString().substring(0, 18);
        s3.createBucket(bucket);
        return bucket;
    }

    @Test
    void endpointAndCredentials() {
        assertThat(s3.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + s3.port()));
        assertThat(s3.accessKey()).isEqualTo("infermesh");
        assertThat(s3.secretKey()).isEqualTo("infermesh-secret");
        assertThat(s3.region()).isEqualTo("us-east-1");
    }

    @Test
    void aPutPublishesTheMinioNotification() {
        String bucket = newBucket();
        byte[] body = "hello, inference".getBytes(StandardCharsets.UTF_8);
        Instant before = Instant.now().minusSeconds(1);

        PutObjectResponse put = client.putObject(
                b -> b.bucket(bucket)
                        .key("inputs/doc.txt")
                        .contentType("text/plain")
                        .metadata(Map.of("model-name", "resnet")),
                RequestBody.fromBytes(body));

        List<Event> published = events.forBucket(bucket);
        assertThat(published).hasSize(1);
        Event event = published.get(0);
        assertThat(event.recordKey()).isEqualTo(bucket + "/inputs/doc.txt");
        assertThat(event.eventName()).isEqualTo("s3:ObjectCreated:Put");
        assertThat(event.json().get("Key").asString()).isEqualTo(bucket + "/inputs/doc.txt");
        assertThat(event.json().get("Records")).hasSize(1);

        var record = event.record();
        assertThat(record.get("eventVersion").asString()).isEqualTo("2.0");
        assertThat(record.get("eventSource").asString()).isEqualTo("minio:s3");
        assertThat(record.get("awsRegion").asString()).isEmpty();
        assertThat(record.get("eventName").asString()).isEqualTo("s3:ObjectCreated:Put");
        Instant eventTime = Instant.parse(record.get("eventTime").asString());
        assertThat(eventTime).isBetween(before, Instant.now().plusSeconds(1));
        assertThat(record.get("eventTime").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(record.get("userIdentity").get("principalId").asString()).isEqualTo("infermesh");
        assertThat(record.get("requestParameters").get("principalId").asString())
                .isEqualTo("infermesh");
        assertThat(record.get("requestParameters").get("region").asString()).isEmpty();
        assertThat(record.get("requestParameters").get("sourceIPAddress").asString())
                .isEqualTo("127.0.0.1");
        var response = record.get("responseElements");
        assertThat(response.get("x-amz-request-id").asString())
                .isEqualTo(put.responseMetadata().requestId())
                .matches("[0-9A-F]{16}");
        assertThat(response.get("x-amz-id-2").asString()).matches("[0-9a-f]{64}");
        assertThat(UUID.fromString(response.get("x-minio-deployment-id").asString()))
                .isNotNull();
        assertThat(response.get("x-minio-origin-endpoint").asString())
                .isEqualTo(s3.endpoint().toString());

        var s3Node = record.get("s3");
        assertThat(s3Node.get("s3SchemaVersion").asString()).isEqualTo("1.0");
        assertThat(s3Node.get("configurationId").asString()).isEqualTo("Config");
        assertThat(s3Node.get("bucket").get("name").asString()).isEqualTo(bucket);
        assertThat(s3Node.get("bucket").get("ownerIdentity").get("principalId").asString())
                .isEqualTo("infermesh");
        assertThat(s3Node.get("bucket").get("arn").asString()).isEqualTo("arn:aws:s3:::" + bucket);
        var object = event.object();
        assertThat(object.get("key").asString()).isEqualTo("inputs%2Fdoc.txt");
        assertThat(object.get("size").asLong()).isEqualTo(body.length);
        assertThat(object.get("size").isIntegralNumber()).isTrue();
        assertThat(object.get("eTag").asString())
                .isEqualTo(put.eTag().replace("\"", ""))
                .isEqualTo(HexFormat.of().formatHex(md5(body)));
        assertThat(object.get("contentType").asString()).isEqualTo("text/plain");
        assertThat(object.get("userMetadata").get("content-type").asString()).isEqualTo("text/plain");
        assertThat(object.get("userMetadata").get("X-Amz-Meta-Model-Name").asString())
                .isEqualTo("resnet");
        assertThat(object.get("sequencer").asString()).matches("[0-9A-F]{16}");

        var source = record.get("source");
        assertThat(source.get("host").asString()).isEqualTo("127.0.0.1");
        assertThat(source.get("port").asString()).isEmpty();
        assertThat(source.get("userAgent").asString()).contains("aws-sdk-java");
    }

    @Test
    void aMultipartUploadPublishesOneCompleteMultipartUploadNotificationAndNothingForItsBookkeeping() {
        String bucket = newBucket();
        String key = "big/model.onnx";
        byte[] part1 = new byte[5 * 1024 * 1024];
        Arrays.fill(part1, (byte) 'a');
        byte[] part2 = "tail".getBytes(StandardCharsets.UTF_8);

        String uploadId = client.createMultipartUpload(
                        b -> b.bucket(bucket).key(key).contentType("application/octet-stream"))
                .uploadId();
        assertThat(events.forBucket(bucket)).as("initiating publishes nothing").isEmpty();
        UploadPartResponse r1 = client.uploadPart(
                b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1), RequestBody.fromBytes(part1));
        UploadPartResponse r2 = client.uploadPart(
                b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(2), RequestBody.fromBytes(part2));
        assertThat(events.forBucket(bucket)).as("parts publish nothing").isEmpty();
        CompleteMultipartUploadResponse done = client.completeMultipartUpload(b -> b.bucket(bucket)
                .key(key)
                .uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder()
                        .parts(
                                CompletedPart.builder()
                                        .partNumber(1)
                                        .eTag(r1.eTag())
                                        .build(),
                                CompletedPart.builder()
                                        .partNumber(2)
                                        .eTag(r2.eTag())
                                        .build())
                        .build()));

        List<Event> published = events.forBucket(bucket);
        assertThat(published).extracting(Event::recordKey).containsExactly(bucket + "/" + key);
        Event event = published.get(0);
        assertThat(event.eventName()).isEqualTo("s3:ObjectCreated:CompleteMultipartUpload");
        assertThat(event.record().get("eventName").asString()).isEqualTo("s3:ObjectCreated:CompleteMultipartUpload");
        assertThat(event.json().get("Key").asString()).isEqualTo(bucket + "/" + key);
        assertThat(event.bucket()).isEqualTo(bucket);
        assertThat(event.object().get("key").asString()).isEqualTo("big%2Fmodel.onnx");
        assertThat(event.object().get("size").asLong()).isEqualTo(part1.length + part2.length);
        assertThat(event.object().get("eTag").asString())
                .isEqualTo(done.eTag().replace("\"", ""))
                .endsWith("-2");

        // S3Proxy's multipart bookkeeping lives in the bucket as .s3proxy-mpu-stub-<uploadId>: never published.
        assertThat(events.all())
                .noneMatch(e -> e.recordKey().contains(NotifyingBlobStore.MPU_STUB_PREFIX)
                        || e.json().get("Key").asString().contains(NotifyingBlobStore.MPU_STUB_PREFIX));
    }

    @Test
    void anAbortedMultipartUploadPublishesNothing() {
        String bucket = newBucket();
        String uploadId =
                client.createMultipartUpload(b -> b.bucket(bucket).key("never")).uploadId();
        client.uploadPart(
                b -> b.bucket(bucket).key("never").uploadId(uploadId).partNumber(1), RequestBody.fromString("x"));
        client.abortMultipartUpload(b -> b.bucket(bucket).key("never").uploadId(uploadId));
        assertThat(events.forBucket(bucket)).isEmpty();
        assertThat(client.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
    }

    @Test
    void aCopyPublishesACopyNotificationForTheDestination() {
        String source = newBucket();
        String target = newBucket();
        client.putObject(
                b -> b.bucket(source).key("in.bin").contentType("application/x-thing"),
                RequestBody.fromString("payload-123"));
        CopyObjectResponse copy = client.copyObject(b -> b.sourceBucket(source)
                .sourceKey("in.bin")
                .destinationBucket(target)
                .destinationKey("out/copied.bin"));

        assertThat(events.forBucket(source)).extracting(Event::eventName).containsExactly("s3:ObjectCreated:Put");
        List<Event> published = events.forBucket(target);
        assertThat(published).hasSize(1);
        Event event = published.get(0);
        assertThat(event.eventName()).isEqualTo("s3:ObjectCreated:Copy");
        assertThat(event.recordKey()).isEqualTo(target + "/out/copied.bin");
        assertThat(event.json().get("Key").asString()).isEqualTo(target + "/out/copied.bin");
        assertThat(event.bucket()).isEqualTo(target);
        assertThat(event.object().get("key").asString()).isEqualTo("out%2Fcopied.bin");
        assertThat(event.object().get("size").asLong()).isEqualTo("payload-123".length());
        assertThat(event.object().get("eTag").asString())
                .isEqualTo(copy.copyObjectResult().eTag().replace("\"", ""));
        assertThat(event.object().get("contentType").asString()).isEqualTo("application/x-thing");
    }

    @Test
    void failedWritesPublishNothing() {
        String missing = "missing-" + UUID.randomUUID().toString().substring(0, 12);
        assertThatThrownBy(() -> client.putObject(b -> b.bucket(missing).key("k"), RequestBody.fromString("x")))
                .isInstanceOf(NoSuchBucketException.class);

        String bucket = newBucket();
        // Content-MD5 of other bytes: S3 refuses the body (BadDigest), nothing may be stored or published.
        String wrongMd5 = Base64.getEncoder().encodeToString(md5("other".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> client.putObject(
                        b -> b.bucket(bucket).key("corrupt").contentMD5(wrongMd5), RequestBody.fromString("actual")))
                .isInstanceOf(S3Exception.class);
        assertThatThrownBy(() -> client.copyObject(b -> b.sourceBucket(bucket)
                        .sourceKey("does-not-exist")
                        .destinationBucket(bucket)
                        .destinationKey("copy")))
                .isInstanceOf(S3Exception.class);
        assertThat(events.forBucket(bucket)).isEmpty();
        // A conditional put that loses (If-None-Match: * on an existing key): only the first put is published.
        client.putObject(b -> b.bucket(bucket).key("once"), RequestBody.fromString("first"));
        assertThatThrownBy(() -> client.putObject(
                        b -> b.bucket(bucket).key("once").ifNoneMatch("*"), RequestBody.fromString("second")))
                .isInstanceOf(S3Exception.class)
                .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(412));

        assertThat(events.all()).noneMatch(e -> e.recordKey().startsWith(missing + "/"));
        assertThat(events.forBucket(bucket)).extracting(Event::recordKey).containsExactly(bucket + "/once");
        assertThat(client.listObjectsV2(b -> b.bucket(bucket)).contents())
                .extracting(S3Object::key)
                .containsExactly("once");
        assertThat(client.getObjectAsBytes(b -> b.bucket(bucket).key("once")).asUtf8String())
                .isEqualTo("first");
    }

    @Test
    void keysWithSpacesPlusAndNonAsciiAreFormEncodedInTheRecordOnly() {
        String bucket = newBucket();
        String key = "dir/sub dir/a+b ü €~*.txt";
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("k"));

        List<Event> published = events.forBucket(bucket);
        assertThat(published).hasSize(1);
        Event event = published.get(0);
        assertThat(event.recordKey()).isEqualTo(bucket + "/" + key);
        assertThat(event.json().get("Key").asString()).isEqualTo(bucket + "/" + key);
        assertThat(event.object().get("key").asString()).isEqualTo("dir%2Fsub+dir%2Fa%2Bb+%C3%BC+%E2%82%AC~%2A.txt");
        assertThat(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String())
                .isEqualTo("k");
    }

    @Test
    void sequencersIncreaseAlongEachPartition() {
        String bucket = newBucket();
        for (int i = 0; i < 5; i++) {
            int n = i;
            client.putObject(b -> b.bucket(bucket).key("same-key"), RequestBody.fromString("v" + n));
        }
        for (int i = 0; i < 5; i++) {
            int n = i;
            client.putObject(b -> b.bucket(bucket).key("key-" + n), RequestBody.fromString("v" + n));
        }
        List<Event> published = events.forBucket(bucket);
        assertThat(published).hasSize(10);
        // Same key -> same partition -> in publication order.
        List<Long> sameKey = published.stream()
                .filter(e -> e.recordKey().endsWith("/same-key"))
                .map(e -> Long.parseUnsignedLong(e.object().get("sequencer").asString(), 16))
                .toList();
        assertThat(sameKey).hasSize(5).isSorted().doesNotHaveDuplicates();
        // Across partitions too, within each partition's offset order.
        Map<Integer, List<Event>> byPartition = new TreeMap<>();
        for (Event e : events.all()) {
            byPartition.computeIfAbsent(e.partition(), p -> new ArrayList<>()).add(e);
        }
        byPartition
                .values()
                .forEach(list -> assertThat(list.stream()
                                .map(e -> Long.parseUnsignedLong(
                                        e.object().get("sequencer").asString(), 16))
                                .toList())
                        .isSorted()
                        .doesNotHaveDuplicates());
    }

    @Test
    void createBucketIsIdempotentAndPublishesNothing() {
        String bucket = "idem-" + UUID.randomUUID().toString().substring(0, 12);
        s3.createBucket(bucket);
        s3.createBucket(bucket);
        assertThat(client.listBuckets().buckets()).anyMatch(b -> b.name().equals(bucket));
        assertThat(events.forBucket(bucket)).isEmpty();
    }

    @Test
    void aBrowserOnAnotherOriginMayPutAndGetWithPresignedUrls() throws Exception {
        String bucket = newBucket();
        client.putObject(b -> b.bucket(bucket).key("inbox/digits/alice/x.png"), RequestBody.fromString("png"));
        var http = HttpClient.newHttpClient();
        URI object = URI.create(s3.endpoint() + "/" + bucket + "/inbox/digits/alice/x.png");

        // the preflight a browser sends before an XHR PUT with a content type and a metadata header
        var preflight = http.send(
                HttpRequest.newBuilder(object)
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "http://127.0.0.1:8088")
                        .header("Access-Control-Request-Method", "PUT")
                        .header("Access-Control-Request-Headers", "content-type,x-amz-meta-infermesh-placement")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValueSatisfying(origin -> assertThat(origin).isIn("*", "http://127.0.0.1:8088"));
        assertThat(preflight
                        .headers()
                        .firstValue("Access-Control-Allow-Methods")
                        .orElse(""))
                .contains("PUT")
                .contains("GET");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials"))
                .isEmpty();

        // and a method presigned URLs are never used with is not allowed
        var delete = http.send(
                HttpRequest.newBuilder(object)
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "http://127.0.0.1:8088")
                        .header("Access-Control-Request-Method", "DELETE")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(delete.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
