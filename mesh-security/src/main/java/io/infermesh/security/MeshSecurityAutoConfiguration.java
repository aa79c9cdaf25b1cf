package io.infermesh.security;

import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Every service context: tokens are read by {@link MeshJwtConverter}, and the actuator endpoints (on the management
 * port) are closed but for {@code health} (details only for operators) and {@code prometheus}.
 */
@AutoConfiguration(after = WebEndpointAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "infermesh.security", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(MeshSecurityProperties.class)
public class MeshSecurityAutoConfiguration {

    /** Picked up by every {@code oauth2ResourceServer().jwt()} of the context, {@link MeshSecurity}'s included. */
    @Bean
    JwtAuthenticationConverter meshJwtAuthenticationConverter(MeshSecurityProperties properties) {
        MeshJwtConverter mesh = new MeshJwtConverter(properties);
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(jwt -> mesh.convert(jwt).getAuthorities());
        converter.setPrincipalClaimName(properties.ownerClaim());
        return converter;
    }

    /**
     * Every {@link JwtDecoder} of the context remembers the tokens it accepted until they expire
     * ({@link CachingJwtDecoder}).
     */
    @Bean
    static BeanPostProcessor meshCachingJwtDecoder() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof JwtDecoder decoder && !(bean instanceof CachingJwtDecoder)
                        ? new CachingJwtDecoder(decoder, 10_000, Clock.systemUTC())
                        : bean;
            }
        };
    }

    /**
     * No observation of each security filter, authentication and authorization (nor the decoration of every filter
     * that observing them needs): on a service whose requests each carry a token that was a tenth of the request's
     * CPU (JFR, {@code status-bench}), and the request itself is observed and timed already
     * ({@code http.server.requests}).
     */
    @Bean
    SecurityObservationSettings meshWithoutSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /** Controllers take a {@link Caller} parameter (see {@link CallerArgumentResolver}). */
    @Bean
    WebMvcConfigurer meshCallerArgument(MeshSecurityProperties properties) {
        return new WebMvcConfigurer() {
            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(new CallerArgumentResolver(properties));
            }
        };
    }

    /** Actuator: health and prometheus open (for probes and scrapers), everything else for operators only. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityFilterChain managementEndpoints(HttpSecurity http, MeshSecurityProperties properties) {
        MeshSecurity.resourceServer(http)
                .securityMatcher(EndpointRequest.toAnyEndpoint())
                .authorizeHttpRequests(a -> a.requestMatchers(EndpointRequest.to("health", "prometheus"))
                        .permitAll()
                        .anyRequest()
                        .hasRole(properties.operatorRole()));
        return http.build();
    }
}
