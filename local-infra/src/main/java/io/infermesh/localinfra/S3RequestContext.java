package io.infermesh.localinfra;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;

/**
 * The HTTP request an S3Proxy blob-store call is serving: its method, client address, User-Agent and the
 * {@code x-amz-request-id} S3Proxy answers with. Held in an inheritable thread-local because S3Proxy completes a
 * multipart upload on a thread it starts from the request thread.
 */
final class S3RequestContext {

    private static final InheritableThreadLocal<S3RequestContext> CURRENT = new InheritableThreadLocal<>();
    private static final String REQUEST_ID = "x-amz-request-id";

    final String method;
    final String remoteAddress;
    final String userAgent;
    volatile String requestId;

    private S3RequestContext(String method, String remoteAddress, String userAgent) {
        this.method = method;
        this.remoteAddress = remoteAddress;
        this.userAgent = userAgent;
    }

    /** The context of the request being served on this thread, or {@code null} outside a request. */
    static S3RequestContext current() {
        return CURRENT.get();
    }

    /** A servlet filter, installed in front of S3Proxy's servlet, that maintains the context. */
    static Filter filter() {
        return new ContextFilter();
    }

    private static final class ContextFilter implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse res)) {
                chain.doFilter(request, response);
                return;
            }
            S3RequestContext ctx =
                    new S3RequestContext(http.getMethod(), http.getRemoteAddr(), http.getHeader("User-Agent"));
            CURRENT.set(ctx);
            try {
                chain.doFilter(request, new RequestIdCapturingResponse(res, ctx));
            } finally {
                CURRENT.remove();
            }
        }
    }

    private static final class RequestIdCapturingResponse extends HttpServletResponseWrapper {
        private final S3RequestContext ctx;

        RequestIdCapturingResponse(HttpServletResponse response, S3RequestContext ctx) {
            super(response);
            this.ctx = ctx;
        }

        @Override
        public void addHeader(String name, String value) {
            capture(name, value);
            super.addHeader(name, value);
        }

        @Override
        public void setHeader(String name, String value) {
            capture(name, value);
            super.setHeader(name, value);
        }

        private void capture(String name, String value) {
            if (REQUEST_ID.equalsIgnoreCase(name) && value != null) {
                ctx.requestId = value;
            }
        }
    }
}
