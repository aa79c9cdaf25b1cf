package io.infermesh.identity;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Gets access tokens from an OpenID Connect provider the way a real client does, for tests, benchmarks and scripts:
 * client credentials for machines, and the authorization-code flow with PKCE, logging in through the provider's
 * form, for a person. Plain JDK HTTP, no Spring.
 */
public final class Tokens {

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern CSRF =
            Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"_csrf\"");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final URI issuer;

    /** @param issuer the provider's issuer, e.g. {@code http://127.0.0.1:9090} */
    public Tokens(String issuer) {
        this.issuer = URI.create(issuer.endsWith("/") ? issuer : issuer + "/");
    }

    /** An access token of a machine client (client-credentials grant). */
    public String clientCredentials(String clientId, String secret) {
        HttpClient http = HttpClient.newHttpClient();
        return token(http, clientId, secret, Map.of("grant_type", "client_credentials"));
    }

    /**
     * An access token of a person: logs {@code username} in at the provider's login form and completes the
     * authorization-code flow (with PKCE) for {@code clientId}, whose {@code redirectUri} is never called: the code is
     * read off the redirect.
     */
    public String login(String username, String password, String clientId, String secret, String redirectUri) {
        HttpClient http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String verifier = random(32);
        String state = random(16);
        String authorize = issuer.resolve("oauth2/authorize") + "?"
                + form(Map.of(
                        "response_type",
                        "code",
                        "client_id",
                        clientId,
                        "redirect_uri",
                        redirectUri,
                        "scope",
                        "openid",
                        "state",
                        state,
                        "code_challenge",
                        challenge(verifier),
                        "code_challenge_method",
                        "S256"));
        HttpResponse<String> response = send(
                http,
                HttpRequest.newBuilder(URI.create(authorize))
                        .header("Accept", "text/html")
                        .build());
        URI login = location(response, "the authorize endpoint did not send the browser to a login page");
        HttpResponse<String> page = send(http, HttpRequest.newBuilder(login).build());
        Matcher csrf = CSRF.matcher(page.body());
        if (!csrf.find()) {
            throw new IllegalStateException("the login page at " + login + " has no CSRF field: " + page.statusCode());
        }
        String csrfToken = csrf.group(1) != null ? csrf.group(1) : csrf.group(2);
        response = send(
                http,
                HttpRequest.newBuilder(login)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                form(Map.of("username", username, "password", password, "_csrf", csrfToken))))
                        .build());
        URI next = location(response, "the login of " + username + " was not accepted");
        if (next.getQuery() != null && next.getQuery().contains("error")) {
            throw new IllegalStateException("the provider refused the login of " + username + " (" + next + ")");
        }
        response = send(
                http, HttpRequest.newBuilder(next).header("Accept", "text/html").build());
        URI callback = location(response, "the provider did not return a code after the login");
        Map<String, String> query = query(callback);
        if (!state.equals(query.get("state")) || query.get("code") == null) {
            throw new IllegalStateException("the provider's redirect carries no code for this login: " + callback);
        }
        return token(
                http,
                clientId,
                secret,
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "code",
                        query.get("code"),
                        "redirect_uri",
                        redirectUri,
                        "code_verifier",
                        verifier));
    }

    private String token(HttpClient http, String clientId, String secret, Map<String, String> grant) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = send(
                http,
                HttpRequest.newBuilder(issuer.resolve("oauth2/token"))
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(grant)))
                        .build());
        Matcher token = ACCESS_TOKEN.matcher(response.body());
        if (response.statusCode() != 200 || !token.find()) {
            throw new IllegalStateException(
                    "the token endpoint answered " + response.statusCode() + ": " + response.body());
        }
        return token.group(1);
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("could not reach " + request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static URI location(HttpResponse<String> response, String otherwise) {
        String location = response.headers().firstValue("Location").orElse(null);
        if (response.statusCode() / 100 != 3 || location == null) {
            throw new IllegalStateException(otherwise + " (" + response.statusCode() + ")");
        }
        return response.uri().resolve(location);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(
                            pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    private static String form(Map<String, String> values) {
        return values.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
