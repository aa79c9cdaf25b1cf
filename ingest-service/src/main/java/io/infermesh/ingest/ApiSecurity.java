package io.infermesh.ingest;

import io.infermesh.ingest.webhook.MinioWebhookController;
import io.infermesh.security.MeshSecurity;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who reaches ingest over HTTP. The actuator (management port) is mesh-security's. On the service port:
 * <ul>
 *   <li>the MinIO webhook has its own bearer token, the webhook target's {@code auth_token}, which is not a JWT of the
 *       mesh's issuer: its chain is no resource server (a JWT filter would refuse MinIO's token before the controller
 *       saw it) and lets every call through to the controller, which compares the token in constant time and answers
 *       401 itself;</li>
 *   <li>{@code /openapi.yaml} is open;</li>
 *   <li>everything else is refused (401 without a token, 403 with one): ingest has no other API, and nothing added
 *       there later is reachable by accident.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class ApiSecurity {

    @Bean
    @Order(1)
    @ConditionalOnBooleanProperty(name = "infermesh.ingest.webhook.enabled")
    SecurityFilterChain minioWebhook(HttpSecurity http) {
        http.securityMatcher(MinioWebhookController.PATH)
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .authorizeHttpRequests(a -> a.anyRequest().permitAll());
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain ingestApi(HttpSecurity http) {
        MeshSecurity.resourceServer(http)
                .authorizeHttpRequests(a -> a
                        // the error page of a webhook call that failed unexpectedly keeps its status (500), not 401
                        .dispatcherTypeMatchers(DispatcherType.ERROR)
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/openapi.yaml")
                        .permitAll()
                        .anyRequest()
                        .denyAll());
        return http.build();
    }
}
