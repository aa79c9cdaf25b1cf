package io.infermesh.load;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The harness's own access token: the mesh's operator machine client ({@code infermesh-operator}, role
 * {@code operator}, ADR 0014) logged in with the client-credentials grant at the mesh's issuer. The token endpoint is
 * read from the issuer's discovery document, so the same code works against the local mesh's provider and against
 * Keycloak. A token is reused until shortly before it expires (ten minutes on the local mesh, five by default on
 * Keycloak), then a new one is fetched, so runs longer than a token's life keep going.
 */
final class OperatorToken {

    /** The local mesh's operator machine client. */
    static final String OPERATOR_CLIENT = "infermesh-operator";
    /** Where the secret is read from when {@code --client-secret} is not given. */
    static final String SECRET_VARIABLE = "INFERMESH_OPERATOR_CLIENT_SECRET";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A token is replaced this long before it expires (or at four fifths of its life, if that is sooner). */
    private static final Duration MARGIN = Duration.ofSeconds(60);

    private final URI issuer;
    private final String clientId;
    private final String secret;
    private final InstantSource clock;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private URI tokenEndpoint;
    private String token;
    private Instant renewAt = Instant.MIN;

    OperatorToken(URI issuer, String clientId, String secret, InstantSource clock) {
        this.issuer = issuer;
        this.clientId = clientId;
        this.secret = secret;
        this.clock = clock;
    }

    /**
     * From {@code --issuer} (default the local mesh's {@code http://127.0.0.1:9090}), {@code --client-id} (default
     * {@value #OPERATOR_CLIENT}) and {@code --client-secret} or {@value #SECRET_VARIABLE}.
     */
    static OperatorToken from(Options options) {
        String issuer = options.get("issuer") == null ? "http://127.0.0.1:9090" : options.get("issuer");
        String clientId = options.get("client-id") == null ? OPERATOR_CLIENT : options.get("client-id");
        String secret =
                options.get("client-secret") != null ? options.get("client-secret") : System.getenv(SECRET_VARIABLE);
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("this scenario calls the mesh's secured HTTP endpoints with an operator"
                    + " token: pass --client-secret=<the secret of " + clientId + ", which the local mesh prints on"
                    + " its 'OIDC provider' line at each start> or set " + SECRET_VARIABLE + " (and --issuer=URL if"
                    + " the issuer is not " + issuer + ")");
        }
        return new OperatorToken(
                URI.create(issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer),
                clientId,
                secret,
                InstantSource.system());
    }

    /** The value of an {@code Authorization} header: a valid token, fetched again when the last one nears its end. */
    synchronized String authorization() {
        Instant now = clock.instant();
        if (token == null || !now.isBefore(renewAt)) {
            JsonNode answer = fetch();
            token = answer.path("access_token").asString();
            long seconds = answer.path("expires_in").asLong(300);
            Duration margin =
                    MARGIN.compareTo(Duration.ofSeconds(seconds / 5)) < 0 ? MARGIN : Duration.ofSeconds(seconds / 5);
            renewAt = now.plusSeconds(seconds).minus(margin);
        }
        return "Bearer " + token;
    }

    /** The issuer this token comes from. */
    URI issuer() {
        return issuer;
    }

    /**
     * The error for an answer of 401 or 403 to a request that carried this token: the service does not trust this
     * issuer (401), or it does not allow this client that request (403: no operator role, or an endpoint the port
     * does not serve, such as actuator on a service port).
     */
    IllegalStateException refused(HttpResponse<?> response) {
        String challenge = response.headers()
                .firstValue("WWW-Authenticate")
                .map(h -> " (WWW-Authenticate: " + h + ")")
                .orElse("");
        String why = response.statusCode() == 401
                ? "the service did not accept the token of " + issuer + ": is that the issuer the mesh trusts?"
                : "the token of " + clientId + " was accepted but not allowed this; is that the endpoint meant"
                        + " (actuator endpoints are on the management port) and has " + clientId + " the operator role"
                        + " at " + issuer + "?";
        return new IllegalStateException(response.request().method() + " "
                + response.request().uri() + " answered " + response.statusCode() + challenge + ": " + why);
    }

    private JsonNode fetch() {
        if (tokenEndpoint == null) {
            URI discovery = URI.create(issuer + "/.well-known/openid-configuration");
            HttpResponse<String> response =
                    send(HttpRequest.newBuilder(discovery).build());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(discovery + " answered " + response.statusCode() + ": is " + issuer
                        + " the mesh's issuer? (--issuer=URL)");
            }
            tokenEndpoint = URI.create(
                    JSON.readTree(response.body()).path("token_endpoint").asString());
        }
        String basic = Base64.getEncoder()
                .encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                                + URLEncoder.encode(secret, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = send(HttpRequest.newBuilder(tokenEndpoint)
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build());
        JsonNode answer = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        if (answer == null || answer.path("access_token").asString("").isEmpty()) {
            throw new IllegalStateException("the token endpoint " + tokenEndpoint + " refused client " + clientId
                    + " (" + response.statusCode() + " " + response.body() + "); the local mesh makes a new secret at"
                    + " each start: use the one its banner shows now");
        }
        return answer;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot reach the issuer at " + request.uri() + " (" + e + "); is the mesh"
                            + " running? (--issuer=URL)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
