package io.infermesh.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdentityProviderTests {

    static IdentityProvider provider;

    @BeforeAll
    static void start() {
        provider = IdentityProvider.start(0);
    }

    @AfterAll
    static void stop() {
        provider.close();
    }

    @Test
    void publishesOpenIdConfigurationNamingItsIssuerAndKeys() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(provider.issuer() + "/.well-known/openid-configuration"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("\"issuer\":\"" + provider.issuer() + "\"")
                .contains("jwks_uri");
    }

    @Test
    void aLoggedInUserGetsATokenWhoseSubjectIsTheirNameWithoutRoles() {
        String claims = claims(provider.userToken("alice"));
        assertThat(claims)
                .contains("\"sub\":\"alice\"")
                .contains("\"iss\":\"" + provider.issuer() + "\"")
                .contains("\"roles\":[]");
    }

    @Test
    void theOperatorUserAndTheOperatorClientCarryTheOperatorRole() {
        assertThat(claims(provider.userToken("operator"))).contains("\"roles\":[\"operator\"]");
        assertThat(claims(provider.operatorToken()))
                .contains("\"sub\":\"infermesh-operator\"")
                .contains("\"roles\":[\"operator\"]");
    }

    @Test
    void aWrongPasswordGetsNoToken() {
        assertThatThrownBy(() -> provider.tokens()
                        .login(
                                "alice",
                                "not-her-password",
                                DemoAccounts.TEST_CLIENT,
                                provider.accounts().testClientSecret(),
                                DemoAccounts.TEST_REDIRECT))
                .hasMessageContaining("refused the login of alice");
    }

    @Test
    void aWrongClientSecretGetsNoToken() {
        assertThatThrownBy(() -> provider.tokens().clientCredentials(DemoAccounts.OPERATOR_CLIENT, "guess"))
                .hasMessageContaining("401");
    }

    private static String claims(String jwt) {
        return new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
    }
}
