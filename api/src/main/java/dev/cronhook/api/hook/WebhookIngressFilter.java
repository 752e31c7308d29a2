package dev.cronhook.api.hook;

import dev.cronhook.api.error.FirewallRejectionHandler;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.UriUtils;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Takes webhook calls ({@code /hooks/{token}[/more]}) to {@link WebhookController} straight from the filter chain,
 * ahead of the security chains and of the handler mappings. A webhook is outside every security chain (its URL is
 * its credential), yet each call paid for Spring Security's look at every chain (an observation around each) and
 * for the annotated handler mapping, which compares a path that is not a literal one with every mapping of the
 * application: 15-20% of the JVM's CPU per call on the hot-script benchmark (JFR, bench/RESULTS.md). What those gave
 * the webhook is kept: the same firewall as the security chains' (a path that is not normalized, an encoded slash,
 * a control character in a header: 400 with a problem document), the filters before this one (the port filter, the
 * security headers), the server's request metrics under the pattern {@code /hooks/{token}/**}, and the exception
 * handlers for every error. The controller's {@code @RequestMapping} stays: it is what the OpenAPI document shows,
 * and the route when this filter is not there.
 */
@Component
public class WebhookIngressFilter implements WebFilter, Ordered {
    private static final PathPattern PATTERN = PathPatternParser.defaultInstance.parse("/hooks/{token}/**");

    private final WebhookController webhooks;
    private final ServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
    private final FirewallRejectionHandler rejected;

    public WebhookIngressFilter(WebhookController webhooks, FirewallRejectionHandler rejected) {
        this.webhooks = webhooks;
        this.rejected = rejected;
    }

    @Override
    public int getOrder() {
        // after the port filter (no webhooks on the management port) and the security headers, before security
        return Ordered.HIGHEST_PRECEDENCE + 20;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String token =
                token(exchange.getRequest().getPath().pathWithinApplication().value());
        if (token == null) return chain.filter(exchange);
        return firewall.getFirewalledExchange(exchange)
                .flatMap(checked -> {
                    checked.getAttributes().put(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, PATTERN);
                    return webhooks.handle(token, checked).flatMap(reply -> write(checked, reply));
                })
                .onErrorResume(ServerExchangeRejectedException.class, e -> rejected.handle(exchange, e));
    }

    /** The token of a webhook path, {@code /hooks/{token}} or {@code /hooks/{token}/more}; null for any other path. */
    static String token(String path) {
        if (!path.startsWith("/hooks/")) return null;
        int start = "/hooks/".length();
        int end = path.indexOf('/', start);
        String token = end < 0 ? path.substring(start) : path.substring(start, end);
        // as a path variable is: decoded (the firewall has refused an encoded slash, period or percent already)
        return token.isEmpty() ? null : UriUtils.decode(token, StandardCharsets.UTF_8);
    }

    private static Mono<Void> write(ServerWebExchange exchange, ResponseEntity<byte[]> reply) {
        var response = exchange.getResponse();
        response.setStatusCode(reply.getStatusCode());
        response.getHeaders().putAll(reply.getHeaders());
        byte[] body = reply.getBody();
        if (body == null) return response.setComplete();
        // as the annotated route's writer answered a script's bytes that named no type
        if (response.getHeaders().getContentType() == null) {
            response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
        }
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
