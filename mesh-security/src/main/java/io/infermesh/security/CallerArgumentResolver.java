package io.infermesh.security;

import org.springframework.core.MethodParameter;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * A controller's {@link Caller} parameter: the authenticated request's owner and roles, never anything the request
 * says. A handler that takes one on a path its chain lets through anonymously fails (500), which a test would see.
 */
final class CallerArgumentResolver implements HandlerMethodArgumentResolver {

    private final MeshSecurityProperties properties;

    CallerArgumentResolver(MeshSecurityProperties properties) {
        this.properties = properties;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Caller resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer container,
            NativeWebRequest request,
            WebDataBinderFactory binders) {
        return Caller.of(SecurityContextHolder.getContext().getAuthentication(), properties);
    }
}
