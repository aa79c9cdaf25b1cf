package io.infermesh.identity;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;

/**
 * Spring Authorization Server with OpenID Connect. Tokens carry {@code sub} (the user name, or a machine client's id)
 * and {@code roles}; the issuer is the address the provider was reached at (set it with
 * {@code infermesh.identity.issuer} behind a proxy).
 */
@Configuration(proxyBeanMethods = false)
class AuthorizationServerConfiguration {

    /** The custom client setting holding a machine client's roles. */
    static final String CLIENT_ROLES = "infermesh.roles";

    /** One chain (Spring Security 7): the protocol endpoints, and the login form for everything else. */
    @Bean
    SecurityFilterChain authorizationServer(HttpSecurity http) {
        http.oauth2AuthorizationServer(server -> server.oidc(Customizer.withDefaults()))
                .authorizeHttpRequests(a -> a.requestMatchers("/actuator/health", "/error")
                        .permitAll()
                        .anyRequest()
                        .authenticated())
                .formLogin(Customizer.withDefaults())
                // a browser without a session is sent to the login page; an API client gets 401
                .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint("/login"),
                        new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
        return http.build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    UserDetailsService users(IdentityProperties properties, PasswordEncoder encoder) {
        return new InMemoryUserDetailsManager(properties.users().stream()
                .map(u -> User.withUsername(u.username())
                        .password(encoder.encode(u.password()))
                        .roles(u.roles().toArray(String[]::new))
                        .build())
                .toList());
    }

    @Bean
    RegisteredClientRepository clients(IdentityProperties properties, PasswordEncoder encoder) {
        List<RegisteredClient> clients = properties.clients().stream()
                .map(c -> {
                    RegisteredClient.Builder builder = RegisteredClient.withId(
                                    UUID.randomUUID().toString())
                            .clientId(c.clientId())
                            .clientSecret(encoder.encode(c.secret()))
                            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                            .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                            .tokenSettings(TokenSettings.builder()
                                    .accessTokenTimeToLive(Duration.ofMinutes(properties.accessTokenMinutes()))
                                    .refreshTokenTimeToLive(Duration.ofHours(8))
                                    .reuseRefreshTokens(false)
                                    .build())
                            .clientSettings(ClientSettings.builder()
                                    .requireProofKey(!c.redirectUris().isEmpty())
                                    .requireAuthorizationConsent(false)
                                    .setting(CLIENT_ROLES, c.roles())
                                    .build());
                    if (!c.redirectUris().isEmpty()) {
                        builder.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                                .scope(OidcScopes.OPENID)
                                .scope(OidcScopes.PROFILE);
                        c.redirectUris().forEach(builder::redirectUri);
                    }
                    return builder.build();
                })
                .toList();
        if (clients.isEmpty()) {
            throw new IllegalStateException("infermesh.identity.clients is empty: the provider would serve nobody");
        }
        return new InMemoryRegisteredClientRepository(clients);
    }

    /** {@code roles} in access and ID tokens: a user's roles, or a machine client's configured ones. */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> rolesClaim() {
        return context -> {
            Set<String> roles;
            if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
                List<String> configured =
                        context.getRegisteredClient().getClientSettings().getSetting(CLIENT_ROLES);
                roles = configured == null ? Set.of() : Set.copyOf(configured);
            } else {
                roles = context.getPrincipal().getAuthorities().stream()
                        .map(GrantedAuthority::getAuthority)
                        .filter(a -> a.startsWith("ROLE_"))
                        .map(a -> a.substring("ROLE_".length()))
                        .collect(Collectors.toSet());
                context.getClaims()
                        .claim("preferred_username", context.getPrincipal().getName());
            }
            if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())
                    || "id_token".equals(context.getTokenType().getValue())) {
                context.getClaims().claim("roles", List.copyOf(roles));
            }
        };
    }

    @Bean
    JWKSource<SecurityContext> signingKey() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var pair = generator.generateKeyPair();
        RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic())
                .privateKey((RSAPrivateKey) pair.getPrivate())
                .keyID(UUID.randomUUID().toString())
                .build();
        return new ImmutableJWKSet<>(new JWKSet(key));
    }

    /** For the OIDC user-info endpoint, which reads the provider's own access tokens. */
    @Bean
    JwtDecoder jwtDecoder(JWKSource<SecurityContext> signingKey) {
        return OAuth2AuthorizationServerConfiguration.jwtDecoder(signingKey);
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings(@Value("${infermesh.identity.issuer:}") String issuer) {
        AuthorizationServerSettings.Builder builder = AuthorizationServerSettings.builder();
        if (!issuer.isBlank()) {
            builder.issuer(issuer);
        }
        return builder.build();
    }
}
