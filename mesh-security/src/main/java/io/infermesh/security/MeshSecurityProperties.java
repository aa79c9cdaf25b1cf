package io.infermesh.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a service reads its callers' tokens (JWTs of the mesh's one OIDC issuer, set with
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}).
 *
 * @param enabled false turns the mesh's security rules off in this context (only for a context that is not a service,
 *     such as the identity provider itself)
 * @param ownerClaim the claim that names the caller as an owner: the owner segment of {@code inbox/<model>/<owner>/…}
 *     and the {@code owner} of its jobs. {@code sub} by default (the stable subject); {@code preferred_username} or
 *     {@code email} where an IdP's subjects are opaque and uploads are keyed by user name
 * @param rolesClaim the claim holding the caller's roles, a list of strings; a dotted path reaches into objects, e.g.
 *     {@code realm_access.roles} for Keycloak or {@code cognito:groups} for Cognito
 * @param operatorRole the role that sees every owner's jobs and the actuator endpoints beyond health and metrics
 */
@ConfigurationProperties("infermesh.security")
public record MeshSecurityProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("sub") String ownerClaim,
        @DefaultValue("roles") String rolesClaim,
        @DefaultValue("operator") String operatorRole) {

    public MeshSecurityProperties {
        if (ownerClaim == null || ownerClaim.isBlank()) {
            throw new IllegalArgumentException("infermesh.security.owner-claim must name a claim, e.g. sub");
        }
        if (rolesClaim == null || rolesClaim.isBlank()) {
            throw new IllegalArgumentException("infermesh.security.roles-claim must name a claim, e.g. roles");
        }
        if (operatorRole == null || operatorRole.isBlank()) {
            throw new IllegalArgumentException("infermesh.security.operator-role must name a role, e.g. operator");
        }
    }
}
