package dev.cronhook.api.error;

import org.springframework.http.HttpStatus;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * A request Spring Security's firewall refuses (an encoded slash, backslash or NUL in the path, {@code ..}, a
 * control character in a header) gets a problem document like every other 400, not an empty body.
 */
@Component
public class FirewallRejectionHandler implements ServerExchangeRejectedHandler {
    private final ProblemWriter writer;

    public FirewallRejectionHandler(ProblemWriter writer) {
        this.writer = writer;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, ServerExchangeRejectedException rejected) {
        if (exchange.getResponse().isCommitted()) return Mono.empty();
        return writer.write(exchange, HttpStatus.BAD_REQUEST, "Bad request", rejected.getMessage(), null);
    }
}
