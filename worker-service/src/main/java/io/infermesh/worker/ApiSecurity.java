package io.infermesh.worker;

import io.infermesh.security.MeshSecurity;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who reaches the worker over HTTP. The actuator (management port, {@code /actuator/pools} included) is
 * mesh-security's: health and prometheus open, the rest for operators. On the service port:
 * <ul>
 *   <li>the OIP v2 health probes ({@code /v2/health/live}, {@code /v2/health/ready}) and {@code /openapi.yaml} are
 *       open: a load balancer or KServe-style client checks them without a token;</li>
 *   <li>a model's metadata, readiness and inference ({@code /v2/models/**}, {@code POST /api/models/{m}/predict}) need
 *       a caller of the mesh's issuer, any user: a prediction holds nothing of another owner, the model is what is
 *       spent;</li>
 *   <li>everything else is refused (401 without a token, 403 with one), so nothing added later is reachable by
 *       accident.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class ApiSecurity {

    @Bean
    SecurityFilterChain workerApi(HttpSecurity http) {
        MeshSecurity.resourceServer(http)
                .authorizeHttpRequests(a -> a
                        // the error page of a request that failed unexpectedly keeps its status (500), not 403
                        .dispatcherTypeMatchers(DispatcherType.ERROR)
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/v2/health/live", "/v2/health/ready", "/openapi.yaml")
                        .permitAll()
                        .requestMatchers("/v2/models/**")
                        .authenticated()
                        .requestMatchers(HttpMethod.POST, "/api/models/*/predict")
                        .authenticated()
                        .anyRequest()
                        .denyAll());
        return http.build();
    }
}
