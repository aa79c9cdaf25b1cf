package io.infermesh.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

class MeshJwtConverterTests {

    static final MeshSecurityProperties DEFAULTS = new MeshSecurityProperties(true, "sub", "roles", "operator");

    @Test
    void aUserTokenIsNamedByItsSubjectAndIsNoOperator() {
        var authentication = new MeshJwtConverter(DEFAULTS).convert(jwt(Map.of("sub", "alice", "roles", List.of())));
        Caller caller = Caller.of(authentication, DEFAULTS);
        assertThat(caller).isEqualTo(new Caller("alice", false));
        assertThat(caller.mayAccess("alice")).isTrue();
        assertThat(caller.mayAccess("bob")).isFalse();
    }

    @Test
    void theOperatorRoleMayAccessEveryOwner() {
        var authentication = new MeshJwtConverter(DEFAULTS)
                .convert(jwt(Map.of("sub", "infermesh-operator", "roles", List.of("operator"), "scope", "a b")));
        assertThat(authentication.getAuthorities())
                .extracting(GrantedAuthority::getAuthority)
                .containsExactlyInAnyOrder("ROLE_operator", "SCOPE_a", "SCOPE_b");
        assertThat(Caller.of(authentication, DEFAULTS).mayAccess("alice")).isTrue();
    }

    @Test
    void keycloakStyleClaimsAreReadThroughTheConfiguredNames() {
        var keycloak = new MeshSecurityProperties(true, "preferred_username", "realm_access.roles", "operator");
        var authentication = new MeshJwtConverter(keycloak)
                .convert(jwt(Map.of(
                        "sub",
                        "5f0c2b1e-7d1a-4c59-9a57-3f2e0c1d9b11",
                        "preferred_username",
                        "alice",
                        "realm_access",
                        Map.of("roles", List.of("operator", "offline_access")))));
        assertThat(Caller.of(authentication, keycloak)).isEqualTo(new Caller("alice", true));
    }

    @Test
    void aTokenWithoutTheOwnerClaimIsRefusedNamingTheClaim() {
        var keycloak = new MeshSecurityProperties(true, "preferred_username", "roles", "operator");
        assertThatThrownBy(() -> new MeshJwtConverter(keycloak).convert(jwt(Map.of("sub", "x"))))
                .isInstanceOf(InvalidBearerTokenException.class)
                .hasMessageContaining("preferred_username");
    }

    @Test
    void blankClaimNamesAreRefusedAtStart() {
        assertThatThrownBy(() -> new MeshSecurityProperties(true, " ", "roles", "operator"))
                .hasMessageContaining("owner-claim");
    }

    private static Jwt jwt(Map<String, Object> claims) {
        return Jwt.withTokenValue("t")
                .header("alg", "RS256")
                .claims(c -> c.putAll(claims))
                .issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(60))
                .build();
    }
}
