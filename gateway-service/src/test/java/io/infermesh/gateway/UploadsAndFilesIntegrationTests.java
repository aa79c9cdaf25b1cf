package io.infermesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * People sign in at the gateway through the real provider and upload into, list, download and delete from their own
 * prefix of the real S3 endpoint, and only their own.
 */
@WithLocalInfra
class UploadsAndFilesIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient PLAIN =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static GatewayFixture gateway;
    private static S3Client s3;
    private static Browser alice;
    private static Browser bob;

    @BeforeAll
    static void start() {
        gateway = GatewayFixture.start(LocalInfraExtension.infra().s3(), "http://127.0.0.1:1");
        s3 = gateway.s3.client();
        alice = gateway.signIn("alice");
        bob = gateway.signIn("bob");
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void withoutASessionTheApiAnswers401AndPagesSendTheBrowserToSignIn() {
        Browser stranger = new Browser(gateway.url);

        HttpResponse<String> api = stranger.get("/api/me");
        HttpResponse<String> page = stranger.getPage("/");

        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.headers().firstValue("Location")).isEmpty();
        assertThat(api.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(json(api).get("status").asInt()).isEqualTo(401);
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/oauth2/authorization/infermesh");
        assertThat(stranger.get("/api/models").statusCode()).isEqualTo(401);
        assertThat(stranger.post("/api/uploads", upload("digits", "x.png", 10, "auto"))
                        .statusCode())
                .isIn(401, 403);
    }

    @Test
    void aSignedInPersonIsTheOwnerTheirTokenNamesAndHoldsOnlyASessionCookie() {
        JsonNode me = json(alice.get("/api/me"));

        assertThat(me.get("username").asString()).isEqualTo("alice");
        assertThat(me.get("owner").asString()).isEqualTo("alice");
        assertThat(me.get("operator").asBoolean()).isFalse();
        assertThat(alice.cookie("GATEWAYSESSION")).isNotBlank();
        assertThat(alice.cookie("XSRF-TOKEN")).isNotBlank();
        assertThat(json(gateway.signIn("operator").get("/api/me"))
                        .get("operator")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void theApiSendsSecurityHeadersAndNoCors() {
        HttpResponse<String> response = alice.get("/api/me");

        String csp = response.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp)
                .contains("default-src 'self'")
                .contains("connect-src 'self' " + gateway.s3.endpoint())
                .contains("img-src 'self' data: blob: " + gateway.s3.endpoint())
                .contains("frame-ancestors 'none'");
        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void theCatalogueOffersEachModelWithItsLimitsExampleAndPlacementChoices() {
        JsonNode models = json(alice.get("/api/models"));

        JsonNode digits = find(models, "digits");
        assertThat(digits.get("description").asString()).startsWith("Handwritten digit classifier");
        assertThat(digits.get("input").get("kind").asString()).isEqualTo("image");
        assertThat(digits.get("input").get("contentTypes").toString()).isEqualTo("[\"image/png\",\"image/jpeg\"]");
        assertThat(digits.get("maxInputBytes").asLong()).isEqualTo(10_485_760L);
        assertThat(digits.get("example").asString()).isEqualTo("/api/models/digits/example");
        assertThat(digits.get("documentation").isNull()).isTrue();
        assertThat(digits.get("placement").toString()).isEqualTo("{\"mode\":\"onprem\",\"choices\":[\"auto\"]}");
        JsonNode anywhere = find(models, "digits-anywhere");
        assertThat(anywhere.get("placement").get("choices").toString()).isEqualTo("[\"auto\",\"onprem\",\"lambda\"]");
        assertThat(anywhere.get("example").isNull()).isTrue();

        HttpResponse<byte[]> example = alice.getBytes("/api/models/digits/example");
        assertThat(example.statusCode()).isEqualTo(200);
        assertThat(example.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(example.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment")
                .contains("digit-0.png");
        assertThat(example.body()).startsWith(0x89, 'P', 'N', 'G');
        assertThat(alice.get("/api/models/nope/example").statusCode()).isEqualTo(404);
    }

    @Test
    void aPresignedUploadPutsTheFileIntoTheCallersOwnInbox() throws Exception {
        byte[] png = samplePng();
        HttpResponse<String> response = alice.post("/api/uploads", upload("digits", "digit-3.png", png.length, "auto"));

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode upload = json(response);
        String key = upload.get("key").asString();
        assertThat(key).matches("inbox/digits/alice/[0-9a-f]{8}-digit-3\\.png");
        assertThat(upload.get("method").asString()).isEqualTo("PUT");
        assertThat(upload.get("headers").toString()).isEqualTo("{\"Content-Type\":\"image/png\"}");
        assertThat(upload.get("url").asString())
                .startsWith(gateway.s3.endpoint() + "/" + GatewayFixture.BUCKET + "/" + key + "?");
        assertThat(upload.get("expiresAt").asString()).isNotBlank();
        assertThat(response.body()).doesNotContain(gateway.s3.secretKey());

        HttpResponse<String> put = put(upload, png);

        assertThat(put.statusCode()).isEqualTo(200);
        var stored = s3.getObjectAsBytes(g -> g.bucket(GatewayFixture.BUCKET).key(key));
        assertThat(stored.asByteArray()).isEqualTo(png);
        assertThat(stored.response().contentType()).isEqualTo("image/png");
        assertThat(stored.response().metadata()).doesNotContainKey("infermesh-placement");
    }

    @Test
    void aChosenPlacementIsSignedIntoTheUploadsMetadata() throws Exception {
        byte[] png = samplePng();
        JsonNode upload = json(alice.post("/api/uploads", upload("digits-anywhere", "d.png", png.length, "lambda")));

        assertThat(upload.get("headers").get("x-amz-meta-infermesh-placement").asString())
                .isEqualTo("lambda");
        assertThat(put(upload, png).statusCode()).isEqualTo(200);
        var head = s3.headObject(
                h -> h.bucket(GatewayFixture.BUCKET).key(upload.get("key").asString()));
        assertThat(head.metadata()).containsEntry("infermesh-placement", "lambda");

        // the signature covers the metadata: another placement with the same URL is refused
        JsonNode again = json(alice.post("/api/uploads", upload("digits-anywhere", "e.png", png.length, "lambda")));
        HttpResponse<String> forged =
                send(HttpRequest.newBuilder(URI.create(again.get("url").asString()))
                        .header("Content-Type", "image/png")
                        .header("x-amz-meta-infermesh-placement", "onprem")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(png)));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertAbsent(again.get("key").asString());
    }

    @Test
    void aBodyLargerThanSignedIsRefusedByTheStore() {
        JsonNode upload = json(alice.post("/api/uploads", upload("digits", "small.png", 10, "auto")));

        HttpResponse<String> put = put(upload, new byte[20]);

        assertThat(put.statusCode()).isBetween(400, 499);
        assertAbsent(upload.get("key").asString());
    }

    @Test
    void aFileLargerThanTheModelTakesIsRefusedWith413NamingTheLimit() {
        HttpResponse<String> response = alice.post("/api/uploads", upload("digits", "big.png", 10_485_761L, "auto"));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).get("detail").asString()).contains("10485760");
        assertThat(response.body()).doesNotContain("X-Amz");
    }

    @Test
    void aPlacementTheCardDoesNotAllowAnUnknownModelOrANamelessFileIs400() {
        HttpResponse<String> placement = alice.post("/api/uploads", upload("digits", "a.png", 10, "lambda"));
        HttpResponse<String> model = alice.post("/api/uploads", upload("nope", "a.png", 10, "auto"));
        HttpResponse<String> name = alice.post("/api/uploads", upload("digits", "../..", 10, "auto"));

        assertThat(placement.statusCode()).isEqualTo(400);
        assertThat(json(placement).get("detail").asString()).contains("auto").contains("lambda");
        assertThat(model.statusCode()).isEqualTo(400);
        assertThat(name.statusCode()).isEqualTo(400);
        assertThat(placement.body() + model.body() + name.body()).doesNotContain("X-Amz");
    }

    @Test
    void aFileNameThatClimbsToAnotherOwnerStaysInTheCallersInbox() {
        JsonNode upload = json(bob.post("/api/uploads", upload("digits", "../alice/x", 1, "auto")));

        assertThat(upload.get("key").asString()).matches("inbox/digits/bob/[0-9a-f]{8}-x");
        assertThat(put(upload, new byte[] {7}).statusCode()).isEqualTo(200);
    }

    @Test
    void anotherOwnersFileCannotBeDownloadedOrDeleted() {
        String key = "inbox/digits/alice/" + "secret-" + System.nanoTime() + ".png";
        s3.putObject(p -> p.bucket(GatewayFixture.BUCKET).key(key), RequestBody.fromString("alice's"));

        HttpResponse<String> download = bob.post("/api/files/download", "{\"key\":\"" + key + "\"}");
        HttpResponse<String> delete = bob.delete("/api/files?key=" + key);

        assertThat(download.statusCode()).isEqualTo(403);
        assertThat(download.body())
                .doesNotContain("url")
                .doesNotContain("X-Amz")
                .doesNotContain("http");
        assertThat(delete.statusCode()).isEqualTo(403);
        assertThat(s3.headObject(h -> h.bucket(GatewayFixture.BUCKET).key(key)).contentLength())
                .isEqualTo(7);
        for (String other : new String[] {
            "inbox/digits/bob/../alice/" + key.substring(19),
            "results/digits/alice/j/r.json",
            "models/digits/model.yaml",
            "inbox/digits/bob",
            "/inbox/digits/bob/x",
            "inbox/digits//bob/x"
        }) {
            assertThat(bob.post("/api/files/download", "{\"key\":\"" + other + "\"}")
                            .statusCode())
                    .as(other)
                    .isEqualTo(403);
        }
        assertThat(json(bob.get("/api/files")).toString()).doesNotContain("alice");
    }

    @Test
    void anOwnerListsDownloadsAndDeletesTheirOwnFiles() {
        String input = "inbox/digits/alice/mine-" + System.nanoTime() + ".png";
        String result = "results/digits/alice/job-" + System.nanoTime() + "/result.json";
        s3.putObject(p -> p.bucket(GatewayFixture.BUCKET).key(input), RequestBody.fromString("png"));
        s3.putObject(p -> p.bucket(GatewayFixture.BUCKET).key(result), RequestBody.fromString("{\"ok\":true}"));

        JsonNode files = json(alice.get("/api/files"));
        assertThat(files.get("inputs").toString()).contains(input);
        JsonNode listed = files.get("results")
                .valueStream()
                .filter(f -> f.get("key").asString().equals(result))
                .findFirst()
                .orElseThrow();
        assertThat(listed.get("model").asString()).isEqualTo("digits");
        assertThat(listed.get("size").asLong()).isEqualTo(11);

        JsonNode download = json(alice.post("/api/files/download", "{\"key\":\"" + result + "\"}"));
        HttpResponse<String> got =
                send(HttpRequest.newBuilder(URI.create(download.get("url").asString())));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo("{\"ok\":true}");
        assertThat(download.get("expiresAt").asString()).isNotBlank();

        assertThat(alice.delete("/api/files?key=" + input).statusCode()).isEqualTo(204);
        assertAbsent(input);
        assertThat(alice.delete("/api/files?key=" + input).statusCode()).isEqualTo(404);
    }

    @Test
    void aChangeWithoutTheCsrfHeaderIsRefused() {
        HttpResponse<String> response = alice.postWithoutCsrf("/api/uploads", upload("digits", "a.png", 10, "auto"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).doesNotContain("url");
        assertThat(alice.post("/api/uploads", upload("digits", "a.png", 10, "auto"))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void theActuatorIsClosedButForHealth() {
        String management =
                "http://127.0.0.1:" + gateway.context.getEnvironment().getProperty("local.management.port");

        assertThat(send(HttpRequest.newBuilder(URI.create(management + "/actuator/health")))
                        .statusCode())
                .isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(URI.create(management + "/actuator/info")))
                        .statusCode())
                .isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(URI.create(management + "/actuator/info"))
                                .header("Authorization", "Bearer " + gateway.provider.operatorToken()))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void theOpenApiDocumentIsServed() {
        HttpResponse<String> response = new Browser(gateway.url).get("/openapi.yaml");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("openapi:").contains("/api/uploads");
    }

    private static String upload(String model, String fileName, long size, String placement) {
        return JSON.writeValueAsString(Map.of(
                "model",
                model,
                "fileName",
                fileName,
                "size",
                size,
                "contentType",
                "image/png",
                "placement",
                placement));
    }

    private static HttpResponse<String> put(JsonNode upload, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(upload.get("url").asString()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        upload.get("headers")
                .properties()
                .forEach(h -> request.header(h.getKey(), h.getValue().asString()));
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return PLAIN.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertAbsent(String key) {
        try {
            s3.headObject(h -> h.bucket(GatewayFixture.BUCKET).key(key));
            throw new AssertionError(key + " exists");
        } catch (NoSuchKeyException expected) {
            // absent
        } catch (S3Exception e) {
            assertThat(e.statusCode()).isEqualTo(404);
        }
    }

    private static byte[] samplePng() throws Exception {
        return Files.readAllBytes(Path.of("..", "models", "digits", "samples", "digit-3.png"));
    }

    private static JsonNode find(JsonNode models, String name) {
        return models.valueStream()
                .filter(m -> m.get("name").asString().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }
}
