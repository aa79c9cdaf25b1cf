package io.infermesh.gateway.login;

import io.infermesh.security.Caller;
import io.infermesh.security.MeshSecurityProperties;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Controllers take a {@link Caller} parameter: the signed-in person as the mesh names them (owner claim, operator
 * role), never anything the request says.
 */
@Configuration(proxyBeanMethods = false)
class SignedIn implements WebMvcConfigurer {

    private final MeshSecurityProperties security;

    SignedIn(MeshSecurityProperties security) {
        this.security = security;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new HandlerMethodArgumentResolver() {
            @Override
            public boolean supportsParameter(MethodParameter parameter) {
                return parameter.getParameterType() == Caller.class;
            }

            @Override
            public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer container,
                    NativeWebRequest request, WebDataBinderFactory binders) {
                Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
                return Caller.of(authentication, security);
            }
        });
    }
}
