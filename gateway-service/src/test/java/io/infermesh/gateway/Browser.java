package io.infermesh.gateway;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A person's browser for the tests: a cookie jar, redirects followed by hand (so each step can be asserted), and the
 * pages' habit of sending the {@code XSRF-TOKEN} cookie back as the {@code X-XSRF-TOKEN} header.
 */
final class Browser {

    private static final Pattern CSRF =
            Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"_csrf\"");

    private final URI gateway;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;

    Browser(String gateway) {
        this.gateway = URI.create(gateway);
        this.http = HttpClient.newBuilder()
                .cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * Opens the gateway's start page and signs in at the provider's form the way a person would: page → gateway's
     * authorization redirect → provider's authorize → login form → back to the gateway's callback → the page.
     */
    Browser signIn(String username, String password) {
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(gateway.resolve("/")).header("Accept", "text/html"));
        URI next = location(response);
        if (!next.getPath().equals("/oauth2/authorization/infermesh")) {
            throw new IllegalStateException("the page did not send the browser to sign in: " + next);
        }
        for (int hops = 0; hops < 10; hops++) {
            if (next.getPath().equals("/login") && !next.getAuthority().equals(gateway.getAuthority())) {
                HttpResponse<String> form = send(HttpRequest.newBuilder(next));
                Matcher csrf = CSRF.matcher(form.body());
                if (!csrf.find()) {
                    throw new IllegalStateException("the provider's login page has no CSRF field");
                }
                String token = csrf.group(1) != null ? csrf.group(1) : csrf.group(2);
                response = send(HttpRequest.newBuilder(next)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("username=" + encode(username) + "&password="
                                + encode(password) + "&_csrf=" + encode(token))));
            } else {
                response = send(HttpRequest.newBuilder(next).header("Accept", "text/html"));
            }
            if (response.statusCode() / 100 != 3) {
                throw new IllegalStateException("signing in stopped at " + next + " with " + response.statusCode());
            }
            next = location(response);
            if (next.getQuery() != null && next.getQuery().contains("error")) {
                throw new IllegalStateException("signing in failed: " + next);
            }
            if (next.getAuthority().equals(gateway.getAuthority())
                    && next.getPath().equals("/")) {
                return this;
            }
        }
        throw new IllegalStateException("signing in did not come back to the gateway");
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(gateway.resolve(path)).header("Accept", "application/json"));
    }

    HttpResponse<String> getPage(String path) {
        return send(HttpRequest.newBuilder(gateway.resolve(path)).header("Accept", "text/html"));
    }

    HttpResponse<byte[]> getBytes(String path) {
        try {
            return http.send(
                    HttpRequest.newBuilder(gateway.resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A POST of JSON as the pages send it, with the CSRF header. */
    HttpResponse<String> post(String path, String json) {
        return send(withCsrf(HttpRequest.newBuilder(gateway.resolve(path))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))));
    }

    /** A POST of JSON without the CSRF header, as a forged cross-site form would arrive. */
    HttpResponse<String> postWithoutCsrf(String path, String json) {
        return send(HttpRequest.newBuilder(gateway.resolve(path))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A POST of JSON with this value in the CSRF header (a guessed or stale token). */
    HttpResponse<String> postWithCsrf(String path, String json, String token) {
        return send(HttpRequest.newBuilder(gateway.resolve(path))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("X-XSRF-TOKEN", token)
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> delete(String path) {
        return send(withCsrf(HttpRequest.newBuilder(gateway.resolve(path))
                .header("Accept", "application/json")
                .DELETE()));
    }

    String cookie(String name) {
        return cookies.getCookieStore().get(gateway).stream()
                .filter(c -> c.getName().equals(name))
                .map(HttpCookie::getValue)
                .findFirst()
                .orElse(null);
    }

    private HttpRequest.Builder withCsrf(HttpRequest.Builder request) {
        String token = cookie("XSRF-TOKEN");
        if (token == null) {
            get("/api/me"); // any response renders the cookie
            token = cookie("XSRF-TOKEN");
        }
        return request.header("X-XSRF-TOKEN", token == null ? "" : token);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static URI location(HttpResponse<?> response) {
        String location = response.headers()
                .firstValue("Location")
                .orElseThrow(() -> new IllegalStateException(
                        "no redirect from " + response.uri() + " (" + response.statusCode() + ")"));
        return response.uri().resolve(location);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
