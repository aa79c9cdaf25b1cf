package io.infermesh.security;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;

/**
 * The one way a service's API becomes an OAuth2 resource server: bearer JWTs only (no session, no cookie, so no CSRF
 * surface), refusals as {@code 401} with {@code WWW-Authenticate} (no or bad token) and {@code 403} (not allowed), no
 * CORS (closed unless a service opens it deliberately).
 */
public final class MeshSecurity {

    private MeshSecurity() {}

    /**
     * Applies the mesh's resource-server rules to a service's API chain; the service adds its own
     * {@code authorizeHttpRequests} and builds the chain.
     */
    public static HttpSecurity resourceServer(HttpSecurity http) {
        return http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .oauth2ResourceServer(o -> o.jwt(jwt -> {}));
    }
}
