package io.infermesh.gateway.login;

import io.infermesh.gateway.GatewayProperties;
import io.infermesh.security.Caller;
import io.infermesh.security.Claims;
import io.infermesh.security.MeshSecurityProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientPropertiesMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.HttpSessionOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's login chain: OpenID Connect login (authorization code with PKCE, confidential client), tokens kept in
 * the server-side session, CSRF by a cookie the pages read ({@code XSRF-TOKEN}, sent back as {@code X-XSRF-TOKEN}),
 * {@code /api/**} answering 401/403 problems instead of redirects, no CORS, and a content security policy that lets
 * the pages reach only the gateway and the object store. mesh-security's actuator chain (the management port) comes
 * first; this chain takes everything else.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(OAuth2ClientProperties.class)
class LoginSecurity {

    /** The registration id, {@code spring.security.oauth2.client.registration.infermesh}. */
    static final String REGISTRATION = "infermesh";

    private static final RequestMatcher API =
            PathPatternRequestMatcher.withDefaults().matcher("/api/**");

    @Bean
    SecurityFilterChain login(
            HttpSecurity http,
            ClientRegistrationRepository registrations,
            JsonMapper json,
            GatewayProperties properties,
            OAuth2ClientProperties client,
            OAuth2UserService<OidcUserRequest, OidcUser> ownerUsers) {
        DefaultOAuth2AuthorizationRequestResolver pkce =
                new DefaultOAuth2AuthorizationRequestResolver(registrations, "/oauth2/authorization");
        // PKCE for the confidential client too (OAuth 2.1, and the identity provider requires it)
        pkce.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
        AuthenticationEntryPoint signIn = new LoginUrlAuthenticationEntryPoint("/oauth2/authorization/" + REGISTRATION);
        AccessDeniedHandler pageDenied = new AccessDeniedHandlerImpl();
        HttpSessionRequestCache pagesOnly = new HttpSessionRequestCache();
        // after signing in, the browser goes back to the page it asked for, never to an API response
        pagesOnly.setRequestMatcher(new NegatedRequestMatcher(API));
        OidcClientInitiatedLogoutSuccessHandler logout = new OidcClientInitiatedLogoutSuccessHandler(registrations);
        logout.setDefaultTargetUrl("/");
        if (!properties.postLogoutRedirectUri().isBlank()) {
            logout.setPostLogoutRedirectUri(properties.postLogoutRedirectUri());
        }
        CookieCsrfTokenRepository csrfCookie = CookieCsrfTokenRepository.withHttpOnlyFalse();
        csrfCookie.setCookieCustomizer(c -> c.path("/").sameSite("Lax"));
        http.authorizeHttpRequests(a -> a.requestMatchers("/openapi.yaml", "/error", "/favicon.ico")
                        .permitAll()
                        .anyRequest()
                        .authenticated())
                .oauth2Login(o -> o.authorizationEndpoint(e -> e.authorizationRequestResolver(pkce))
                        .userInfoEndpoint(u -> u.oidcUserService(ownerUsers)))
                .oauth2Client(c -> {})
                .csrf(c -> c.spa().csrfTokenRepository(csrfCookie))
                .addFilterAfter(new CsrfCookieFilter(), CsrfFilter.class)
                .requestCache(c -> c.requestCache(pagesOnly))
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, failure) -> {
                            if (API.matches(request)) {
                                problem(
                                        json,
                                        response,
                                        HttpStatus.UNAUTHORIZED,
                                        "Not signed in",
                                        "Sign in at the gateway first; this API is for its pages");
                            } else {
                                signIn.commence(request, response, failure);
                            }
                        })
                        .accessDeniedHandler((request, response, denied) -> {
                            if (API.matches(request)) {
                                problem(
                                        json,
                                        response,
                                        HttpStatus.FORBIDDEN,
                                        "Forbidden",
                                        "The request was refused (a change needs the X-XSRF-TOKEN header)");
                            } else {
                                pageDenied.handle(request, response, denied);
                            }
                        }))
                .logout(l -> l.logoutSuccessHandler(logout))
                .cors(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .headers(h -> h.contentSecurityPolicy(
                                csp -> csp.policyDirectives(contentSecurityPolicy(properties, client)))
                        .frameOptions(f -> f.deny())
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
        return http.build();
    }

    /**
     * Scripts, styles and pages from the gateway only; the object store for uploads (XHR PUT), results (fetch) and
     * image previews (presigned URLs); forms only to the gateway and the provider (logout continues there).
     */
    static String contentSecurityPolicy(GatewayProperties properties, OAuth2ClientProperties client) {
        Set<String> storage = new LinkedHashSet<>();
        URI s3 = properties.s3().publicEndpoint();
        if (s3 == null) {
            storage.add("https://*.amazonaws.com");
        } else {
            storage.add(origin(s3));
            if (!properties.s3().pathStyle()) {
                storage.add(s3.getScheme() + "://" + properties.bucket() + "." + s3.getAuthority());
            }
        }
        Set<String> provider = new LinkedHashSet<>();
        client.getProvider().values().stream()
                .map(OAuth2ClientProperties.Provider::getIssuerUri)
                .filter(u -> u != null && !u.isBlank())
                .forEach(u -> provider.add(origin(URI.create(u))));
        String stores = String.join(" ", storage);
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: " + stores
                + "; connect-src 'self' " + stores + "; form-action 'self' " + String.join(" ", provider)
                + "; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    static void problem(JsonMapper json, HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter()
                .write(json.writeValueAsString(
                        Map.of("type", "about:blank", "title", title, "status", status.value(), "detail", detail)));
    }

    /**
     * The registration read from the provider's discovery document at the first login, not at start: the gateway
     * starts before (or while) its provider does, as every resource server of the mesh does.
     */
    @Bean
    ClientRegistrationRepository clientRegistrations(OAuth2ClientProperties client) {
        OAuth2ClientProperties.Registration registration =
                client.getRegistration().get(REGISTRATION);
        if (registration == null) {
            throw new IllegalStateException("spring.security.oauth2.client.registration." + REGISTRATION
                    + " is not configured: the gateway logs people in with it");
        }
        if (registration.getClientSecret() == null
                || registration.getClientSecret().isBlank()) {
            throw new IllegalStateException(
                    "the gateway's client secret is not set: set INFERMESH_GATEWAY_CLIENT_SECRET "
                            + "(spring.security.oauth2.client.registration." + REGISTRATION
                            + ".client-secret) to the secret "
                            + "of client '" + registration.getClientId() + "' at the identity provider");
        }
        return new LazyRegistrations(() -> new OAuth2ClientPropertiesMapper(client).asClientRegistrations());
    }

    /** Access and refresh tokens live in the person's HTTP session: they end with it and never reach the browser. */
    @Bean
    OAuth2AuthorizedClientRepository authorizedClients() {
        return new HttpSessionOAuth2AuthorizedClientRepository();
    }

    /** Hands out the person's access token, refreshing it when it has expired. */
    @Bean
    OAuth2AuthorizedClientManager authorizedClientManager(
            ClientRegistrationRepository registrations, OAuth2AuthorizedClientRepository authorizedClients) {
        DefaultOAuth2AuthorizedClientManager manager =
                new DefaultOAuth2AuthorizedClientManager(registrations, authorizedClients);
        manager.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder()
                .authorizationCode()
                .refreshToken()
                .build());
        return manager;
    }

    /**
     * The signed-in person is named by the mesh's owner claim and gets {@code ROLE_<r>} per role, exactly as a
     * service reads their access token (mesh-security): from the ID token and user info, else from the access token.
     */
    @Bean
    OAuth2UserService<OidcUserRequest, OidcUser> ownerUsers(
            MeshSecurityProperties security, ObjectProvider<JwtDecoder> accessTokens) {
        OidcUserService delegate = new OidcUserService();
        return request -> {
            OidcUser user = delegate.loadUser(request);
            Object owner = user.getClaims().get(security.ownerClaim());
            if (!(owner instanceof String name) || name.isBlank()) {
                throw new OAuth2AuthenticationException(new OAuth2Error(
                        "invalid_user_info",
                        "the login has no '" + security.ownerClaim() + "' claim to name its owner",
                        null));
            }
            Object roles = Claims.at(user.getClaims(), security.rolesClaim());
            if (roles == null) {
                JwtDecoder decoder = accessTokens.getIfAvailable();
                if (decoder != null) {
                    try {
                        roles = Claims.at(
                                decoder.decode(request.getAccessToken().getTokenValue())
                                        .getClaims(),
                                security.rolesClaim());
                    } catch (RuntimeException opaque) {
                        // an opaque access token: the roles are wherever the ID token put them, i.e. none
                    }
                }
            }
            Set<GrantedAuthority> authorities = new LinkedHashSet<>(user.getAuthorities());
            for (String role : Claims.strings(roles)) {
                authorities.add(new SimpleGrantedAuthority(Caller.ROLE_PREFIX + role));
            }
            return new DefaultOidcUser(authorities, user.getIdToken(), user.getUserInfo(), security.ownerClaim());
        };
    }

    /** Renders the CSRF token on every response, so the pages always find the {@code XSRF-TOKEN} cookie. */
    static final class CsrfCookieFilter extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
            if (token != null) {
                token.getToken();
            }
            chain.doFilter(request, response);
        }
    }

    /** Resolves the registrations once, on first use; a failure (provider not up yet) is retried at the next use. */
    static final class LazyRegistrations implements ClientRegistrationRepository {
        private final Supplier<Map<String, ClientRegistration>> resolve;
        private volatile Map<String, ClientRegistration> registrations;

        LazyRegistrations(Supplier<Map<String, ClientRegistration>> resolve) {
            this.resolve = resolve;
        }

        @Override
        public ClientRegistration findByRegistrationId(String registrationId) {
            Map<String, ClientRegistration> resolved = registrations;
            if (resolved == null) {
                synchronized (this) {
                    if (registrations == null) {
                        registrations = Map.copyOf(resolve.get());
                    }
                    resolved = registrations;
                }
            }
            return resolved.get(registrationId);
        }
    }
}
