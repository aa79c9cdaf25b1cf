package io.infermesh.identity;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The provider's users and clients.
 *
 * @param users people who log in (authorization-code flow, at the gateway)
 * @param clients applications: the gateway (authorization code with PKCE) and machine clients (client credentials)
 * @param accessTokenMinutes lifetime of an access token
 */
@ConfigurationProperties("infermesh.identity")
public record IdentityProperties(
        List<User> users,
        List<Client> clients,
        @DefaultValue("10") int accessTokenMinutes) {

    public IdentityProperties {
        users = users == null ? List.of() : List.copyOf(users);
        clients = clients == null ? List.of() : List.copyOf(clients);
        if (accessTokenMinutes < 1) {
            throw new IllegalArgumentException("infermesh.identity.access-token-minutes must be at least 1");
        }
    }

    /**
     * A person.
     *
     * @param username the login name, and the token's {@code sub} (their owner name in the mesh)
     * @param password the password
     * @param roles roles carried in the tokens' {@code roles} claim, e.g. {@code operator}
     */
    public record User(String username, String password, List<String> roles) {
        public User {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }

    /**
     * An application.
     *
     * @param clientId the client id; for a machine client also the token's {@code sub}
     * @param secret the client secret (every client here is confidential)
     * @param redirectUris where a login returns (empty: a machine client, client credentials only)
     * @param roles roles of a machine client's own tokens
     */
    public record Client(String clientId, String secret, List<String> redirectUris, List<String> roles) {
        public Client {
            redirectUris = redirectUris == null ? List.of() : List.copyOf(redirectUris);
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }
}
