package dev.cronhook.app.headers;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The browser-facing protections of every answer of the public port. Pages get a Content-Security-Policy that
 * allows only the platform's own scripts, workers and styles (Monaco's AMD loader and its web workers come from
 * the WebJar on the same origin; Monaco sets inline styles, hence {@code 'unsafe-inline'} for styles only) and no
 * framing; a webhook's reply, which the script controls, is sandboxed into an origin of its own so that HTML a
 * script serves cannot act as the signed-in user; everything gets {@code nosniff}, a referrer policy and, when the
 * public URL is https, HSTS (set here because TLS usually ends at a proxy in front, where the request looks like
 * plain HTTP to us).
 */
public final class SecurityHeaders implements WebFilter, Ordered {
    static final String PAGE_POLICY = "default-src 'self'; script-src 'self'; worker-src 'self';"
            + " style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self';"
            + " object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'";
    static final String HOOK_POLICY = "sandbox allow-scripts allow-forms allow-popups allow-downloads";
    static final String HSTS = "max-age=31536000; includeSubDomains";

    private final boolean https;

    public SecurityHeaders(String publicUrl) {
        this.https = publicUrl != null && publicUrl.regionMatches(true, 0, "https:", 0, 6);
    }

    @Override
    public int getOrder() {
        // before the port filter and the security chains, so that their answers (404, 401, redirects) get them too
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        var response = exchange.getResponse();
        response.beforeCommit(() -> {
            HttpHeaders headers = response.getHeaders();
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("Referrer-Policy", "same-origin");
            if (https) headers.set("Strict-Transport-Security", HSTS);
            if (under(path, "/hooks")) {
                // added to the script's own policy, never replacing it: both apply
                headers.add("Content-Security-Policy", HOOK_POLICY);
            } else if (isPage(path)) {
                headers.set("Content-Security-Policy", PAGE_POLICY);
                headers.set("X-Frame-Options", "DENY");
            } else if (!under(path, "/v3/api-docs")) {
                headers.set("Content-Security-Policy", API_POLICY);
                headers.set("X-Frame-Options", "DENY");
            }
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    private static boolean isPage(String path) {
        return !under(path, "/api")
                && !under(path, "/internal")
                && !under(path, "/actuator")
                && !under(path, "/v3/api-docs");
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }
}
