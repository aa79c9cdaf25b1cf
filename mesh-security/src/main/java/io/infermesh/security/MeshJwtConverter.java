package io.infermesh.security;

import java.util.ArrayList;
import java.util.List;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * A token becomes an authentication named by its owner claim, with one {@code ROLE_<role>} authority per entry of its
 * roles claim and one {@code SCOPE_<scope>} per scope. A token without the owner claim is refused (401): nobody is
 * anonymous inside the mesh.
 */
final class MeshJwtConverter implements Converter<Jwt, AbstractAuthenticationToken> {

    private final MeshSecurityProperties properties;

    MeshJwtConverter(MeshSecurityProperties properties) {
        this.properties = properties;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        Object owner = jwt.getClaims().get(properties.ownerClaim());
        if (!(owner instanceof String name) || name.isBlank()) {
            throw new InvalidBearerTokenException(
                    "the token has no '" + properties.ownerClaim() + "' claim to name its owner");
        }
        List<GrantedAuthority> authorities = new ArrayList<>();
        for (String role : Claims.strings(Claims.at(jwt.getClaims(), properties.rolesClaim()))) {
            authorities.add(new SimpleGrantedAuthority(Caller.ROLE_PREFIX + role));
        }
        for (String scope : Claims.strings(jwt.getClaims().get("scope"))) {
            for (String each : scope.split(" ")) {
                if (!each.isBlank()) {
                    authorities.add(new SimpleGrantedAuthority("SCOPE_" + each));
                }
            }
        }
        return new JwtAuthenticationToken(jwt, authorities, name);
    }
}
