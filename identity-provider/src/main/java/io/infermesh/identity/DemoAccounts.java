package io.infermesh.identity;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local mesh's accounts, with passwords and secrets made fresh at each start (printed in the banner, never in the
 * repository): people {@code alice} and {@code bob}, an {@code operator} who sees everything; the gateway's client,
 * a machine client with the operator role ({@value #OPERATOR_CLIENT}: curl, kcat walk-throughs, load tests) and a
 * client the tests log people in with ({@value #TEST_CLIENT}).
 *
 * @param passwords user name → password
 * @param gatewaySecret the client secret of {@value #GATEWAY_CLIENT}
 * @param operatorClientSecret the client secret of {@value #OPERATOR_CLIENT}
 * @param testClientSecret the client secret of {@value #TEST_CLIENT}
 */
public record DemoAccounts(
        Map<String, String> passwords, String gatewaySecret, String operatorClientSecret, String testClientSecret) {

    /** The gateway's client id (authorization code with PKCE). */
    public static final String GATEWAY_CLIENT = "infermesh-gateway";
    /** A machine client with the operator role (client credentials). */
    public static final String OPERATOR_CLIENT = "infermesh-operator";
    /** The client tests and scripts log people in with; its redirect is never followed. */
    public static final String TEST_CLIENT = "infermesh-cli";
    /** The test client's redirect URI (any port on the loopback address matches it, RFC 8252). */
    public static final String TEST_REDIRECT = "http://127.0.0.1/callback";
    /** The gateway's redirect URI path; registered on the loopback address, any port. */
    public static final String GATEWAY_REDIRECT = "http://127.0.0.1/login/oauth2/code/infermesh";
    /** The role that sees every owner's jobs. */
    public static final String OPERATOR_ROLE = "operator";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public DemoAccounts {
        passwords = Map.copyOf(passwords);
    }

    /** Fresh passwords and secrets. */
    public static DemoAccounts generate() {
        Map<String, String> passwords = new LinkedHashMap<>();
        for (String user : List.of("alice", "bob", "operator")) {
            passwords.put(user, secret(12));
        }
        return new DemoAccounts(passwords, secret(32), secret(32), secret(32));
    }

    /** The password of a demo user. */
    public String password(String username) {
        String password = passwords.get(username);
        if (password == null) {
            throw new IllegalArgumentException("no demo user " + username + "; there are " + passwords.keySet());
        }
        return password;
    }

    /** As the provider's configuration. */
    public IdentityProperties properties() {
        List<IdentityProperties.User> users = passwords.entrySet().stream()
                .map(e -> new IdentityProperties.User(
                        e.getKey(), e.getValue(), e.getKey().equals("operator") ? List.of(OPERATOR_ROLE) : List.of()))
                .toList();
        return new IdentityProperties(
                users,
                List.of(
                        new IdentityProperties.Client(
                                GATEWAY_CLIENT, gatewaySecret, List.of(GATEWAY_REDIRECT), List.of()),
                        new IdentityProperties.Client(
                                OPERATOR_CLIENT, operatorClientSecret, List.of(), List.of(OPERATOR_ROLE)),
                        new IdentityProperties.Client(
                                TEST_CLIENT, testClientSecret, List.of(TEST_REDIRECT), List.of())),
                10);
    }

    private static String secret(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }
}
