package io.infermesh.localinfra;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A moto server ({@code python3 -m moto.server}) for the whole test JVM: started on first use on a free port,
 * stopped when the JUnit run ends (a JVM shutdown hook is the fallback). Lambda and Batch run in moto's no-Docker
 * mode: an invoked function returns its payload; a submitted Batch job succeeds at once. As an extension it skips the test class,
 * with the reason, when moto is not installed ({@code pip install 'moto[server]'}).
 */
public final class MotoServer implements BeforeAllCallback, TestInstancePreConstructCallback {

    public static final String ACCESS_KEY = "testing";
    public static final String SECRET_KEY = "testing";
    public static final Region REGION = Region.US_EAST_1;

    /** The Python interpreter, {@code python3} unless the system property {@code infermesh.test.python} says. */
    static final String PYTHON = System.getProperty("infermesh.test.python", "python3");

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MotoServer.class);
    private static Process process;
    private static URI endpoint;
    private static String unavailable;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (problem() == null) {
            context.getRoot()
                    .getStore(NAMESPACE)
                    .computeIfAbsent("moto", k -> (AutoCloseable) MotoServer::stop, AutoCloseable.class);
        }
    }

    /**
     * Skips each test (reported as skipped, with the reason) before its instance exists, so before a Spring test
     * context would be loaded with a moto endpoint that is not there.
     */
    @Override
    public void preConstructTestInstance(TestInstanceFactoryContext factoryContext, ExtensionContext context) {
        String problem = problem();
        Assumptions.assumeTrue(problem == null, () -> "moto is not available, AWS tests skipped: " + problem);
    }

    /** Why moto cannot run here, or null when it can. */
    public static synchronized String problem() {
        if (endpoint == null && unavailable == null) {
            try {
                start();
            } catch (Exception e) {
                unavailable = e.getMessage();
            }
        }
        return unavailable;
    }

    /** The server's endpoint, starting it if needed. */
    public static synchronized URI endpoint() {
        String problem = problem();
        if (problem != null) {
            throw new IllegalStateException("moto is not available: " + problem);
        }
        return endpoint;
    }

    private static void start() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder(PYTHON, "-c", "import moto.server")
                .redirectErrorStream(true)
                .start();
        String output = new String(probe.getInputStream().readAllBytes());
        if (!probe.waitFor(60, TimeUnit.SECONDS) || probe.exitValue() != 0) {
            throw new IllegalStateException(PYTHON + " -c 'import moto.server' failed: " + output.strip());
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Files.createDirectories(Path.of("target")).resolve("moto-server.log");
        process = new ProcessBuilder(PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(MotoServer::stop, "moto-server-stop"));
        URI uri = URI.create("http://127.0.0.1:" + port);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto server exited: " + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        < 500) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException(
                        "moto server on " + uri + " did not answer within 60 s (log: " + log.toAbsolutePath() + ")");
            }
            process.waitFor(200, TimeUnit.MILLISECONDS); // a bounded pause that also notices an early exit
        }
        // Lambda and Batch without Docker: functions echo their payload, Batch jobs succeed on submission.
        HttpResponse<String> config = http.send(
                HttpRequest.newBuilder(uri.resolve("/moto-api/config"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"batch\": {\"use_docker\": false}, \"lambda\": {\"use_docker\": false}}"))
                        .header("Content-Type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (config.statusCode() >= 300) {
            stop();
            throw new IllegalStateException("moto rejected its configuration: " + config.body());
        }
        endpoint = uri;
    }

    static synchronized void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Creates an IAM role (Lambda functions and Batch compute environments need one that exists) through IAM's
     * Query API, and returns its ARN. Idempotent: an existing role of that name is fine.
     */
    public static String role(String name) {
        String body = "Action=CreateRole&Version=2010-05-08&RoleName=" + name + "&AssumeRolePolicyDocument=%7B%7D";
        HttpRequest request = HttpRequest.newBuilder(endpoint().resolve("/"))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .header(
                        "Authorization",
                        "AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY
                                + "/20261122/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response =
                    HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200 && !response.body().contains("EntityAlreadyExists")) {
                throw new IllegalStateException(
                        "IAM CreateRole answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("IAM CreateRole failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return "arn:aws:iam::123456789012:role/" + name;
    }

    /** Points an AWS SDK client builder at the moto server, with its region and test credentials. */
    public static <B extends AwsClientBuilder<B, C>, C> C client(B builder) {
        return builder.endpointOverride(endpoint())
                .region(REGION)
                .credentialsProvider(credentials())
                .build();
    }

    /**
     * An S3 client for moto. Checksums only when required: newer SDKs send CRC trailers with aws-chunked bodies by
     * default, which emulators do not all understand.
     */
    public static S3Client s3() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(REGION)
                .credentialsProvider(credentials())
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }
}
