package dev.cronhook.app.management;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * With {@code cronhook.metrics.token} set, {@code /actuator/prometheus} (on the management port, see {@link
 * ManagementPortFilter}) answers only {@code Authorization: Bearer <token>}, compared in constant time; without it,
 * whoever reaches the management port reads the metrics.
 */
public final class MetricsTokenFilter implements WebFilter, Ordered {
    private final byte[] token;

    public MetricsTokenFilter(String token) {
        this.token = token == null || token.isBlank() ? null : token.trim().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1; // after the port filter: the public port has no metrics at all
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (token == null || !(path.equals("/actuator/prometheus") || path.startsWith("/actuator/prometheus/")))
            return chain.filter(exchange);
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
        byte[] given = bearer ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (bearer && MessageDigest.isEqual(token, given)) {
            // the metrics token is no user's token: the api's bearer authentication must not try it
            var request = exchange.getRequest()
                    .mutate()
                    .headers(h -> h.remove(HttpHeaders.AUTHORIZATION))
                    .build();
            return chain.filter(exchange.mutate().request(request).build());
        }
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"cronhook-metrics\"");
        return Mono.error(new ResponseStatusException(
                HttpStatus.UNAUTHORIZED, "the metrics need Authorization: Bearer <CRONHOOK_METRICS_TOKEN>"));
    }
}
