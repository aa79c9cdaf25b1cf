package io.infermesh.security;

import java.util.Objects;
import org.springframework.security.core.Authentication;

/**
 * Who is calling, as the mesh sees it: an owner name (from the token's owner claim) and whether they hold the
 * operator role. A service's controllers take it from the authenticated request and never from a parameter.
 *
 * @param owner the caller's owner name: their inbox prefix and the owner of their jobs
 * @param operator whether the caller may see every owner's jobs and the operations endpoints
 */
public record Caller(String owner, boolean operator) {

    /** The authority a role becomes, as Spring Security's {@code hasRole} expects it. */
    public static final String ROLE_PREFIX = "ROLE_";

    public Caller {
        Objects.requireNonNull(owner, "owner");
    }

    /** The caller of an authenticated request (a JWT authentication made by {@link MeshSecurity}). */
    public static Caller of(Authentication authentication, MeshSecurityProperties properties) {
        if (authentication == null || !authentication.isAuthenticated() || authentication.getName() == null) {
            throw new IllegalStateException("no authenticated caller");
        }
        String operatorAuthority = ROLE_PREFIX + properties.operatorRole();
        boolean operator =
                authentication.getAuthorities().stream().anyMatch(a -> operatorAuthority.equals(a.getAuthority()));
        return new Caller(authentication.getName(), operator);
    }

    /** Whether the caller may see or change what belongs to {@code ownerOfThing}: theirs, or they are an operator. */
    public boolean mayAccess(String ownerOfThing) {
        return operator || owner.equals(ownerOfThing);
    }
}
