package io.infermesh.gateway.login;

import io.infermesh.gateway.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * The signed-in person's access token for calls to the mesh's services, from their session (refreshed when it has
 * expired). A session whose tokens are gone, cannot be refreshed or are refused by a service is ended and answered
 * 401: the pages reload, and the reload signs in afresh.
 */
@Component
public class AccessTokens {

    private final OAuth2AuthorizedClientManager manager;

    AccessTokens(OAuth2AuthorizedClientManager manager) {
        this.manager = manager;
    }

    /** The access token of the person signed in on this request. */
    public String of(Authentication person, HttpServletRequest request, HttpServletResponse response) {
        OAuth2AuthorizedClient client;
        try {
            client = manager.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(LoginSecurity.REGISTRATION)
                    .principal(person)
                    .attribute(HttpServletRequest.class.getName(), request)
                    .attribute(HttpServletResponse.class.getName(), response)
                    .build());
        } catch (ClientAuthorizationException e) {
            throw signInAgain(request);
        }
        if (client == null || client.getAccessToken() == null) {
            throw signInAgain(request);
        }
        return client.getAccessToken().getTokenValue();
    }

    /**
     * Ends this person's session at the gateway, for tokens that are no good any more, and gives the 401 problem to
     * answer with. The session has to end: while it lives, the pages' reload would find the same dead tokens, answer
     * 401 again and reload again, without ever reaching the provider's login.
     */
    public ErrorResponseException signInAgain(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        SecurityContextHolder.clearContext();
        return Problems.of(
                HttpStatus.UNAUTHORIZED, "Sign-in expired", "Your sign-in has expired; sign in at the gateway again");
    }
}
