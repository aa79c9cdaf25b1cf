package io.infermesh.router;

import io.infermesh.security.MeshSecurity;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The router has no API of its own: it works from Kafka, and its actuator is on the management port (closed by
 * mesh-security's chain but for health and prometheus). On the service port only the document that says so,
 * {@code /openapi.yaml}, is open; everything else is refused, so nothing a later change exposes there by accident
 * (an endpoint, a static file, an error page) is reachable: 401 without a token, 403 with one.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class ApiSecurity {

    @Bean
    SecurityFilterChain routerApi(HttpSecurity http) {
        MeshSecurity.resourceServer(http)
                .authorizeHttpRequests(a -> a.requestMatchers(HttpMethod.GET, "/openapi.yaml")
                        .permitAll()
                        .anyRequest()
                        .denyAll());
        return http.build();
    }
}
