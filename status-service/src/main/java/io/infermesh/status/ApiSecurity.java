package io.infermesh.status;

import io.infermesh.security.MeshSecurity;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who reaches status-service over HTTP (ADR 0014). Its actuator, on the management port, is mesh-security's. On the
 * service port every {@code /api} call needs an access token of the mesh's issuer, and what it then sees is decided
 * by the controllers from its {@code Caller} (their own jobs, or everything for an operator); {@code /openapi.yaml}
 * is open; anything else is refused (401 without a token, 403 with one), so nothing a later change exposes there by
 * accident is reachable. Error pages and the async dispatches of the live stream belong to a request already let in.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class ApiSecurity {

    @Bean
    SecurityFilterChain statusApi(HttpSecurity http) {
        MeshSecurity.resourceServer(http)
                .authorizeHttpRequests(a -> a.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC)
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/openapi.yaml")
                        .permitAll()
                        .requestMatchers("/api/**")
                        .authenticated()
                        .anyRequest()
                        .denyAll());
        return http.build();
    }
}
