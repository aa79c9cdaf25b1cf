package io.infermesh.gateway.login;

import io.infermesh.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/me}: who is signed in. */
@RestController
class MeController {

    /**
     * @param username the name to greet them by
     * @param owner their owner name: their inbox prefix and the owner of their jobs
     * @param operator whether they hold the operator role
     */
    record Me(String username, String owner, boolean operator) {}

    @GetMapping("/api/me")
    Me me(Caller caller, @AuthenticationPrincipal OidcUser user) {
        String username = user.getPreferredUsername() != null ? user.getPreferredUsername() : caller.owner();
        return new Me(username, caller.owner(), caller.operator());
    }
}
